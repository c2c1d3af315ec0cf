/**
 * rnx's exit codes: the one table from a Problem's kind to the code a command exits with, and the
 * text `rnx --help` and the README show for each code (a test keeps the README equal to it).
 */
import { problemKind, type Problem, type ProblemKind } from '../problem.js';

/** Exit codes shared by every command. */
export const EXIT = {
  ok: 0,
  /** A job or workflow ran and failed, or the thing asked for does not exist. */
  failed: 1,
  /** Invalid input: bad flags, an invalid workflow file, a refused request. */
  usage: 2,
  /** The host lacks something rnx needs (a tool, root, a kernel feature). */
  host: 3,
  /**
   * An internal error: an exception rnx did not expect (a bug, or a fault of the host it does not
   * recognise yet); one line names it, RNX_DEBUG=1 shows the trace. 70 is sysexits' EX_SOFTWARE.
   */
  internal: 70,
  /** Interrupted by Ctrl-C, SIGTERM or SIGHUP. */
  interrupted: 130,
  /** Standard output or error was closed under rnx (`| head`): it stopped quietly, as SIGPIPE would. */
  outputClosed: 141,
} as const;

/**
 * Why rnx stopped a job or workflow, when it did: a signal to rnx (Ctrl-C, SIGTERM, SIGHUP; it
 * wins when both happen) or its standard output closed under it (`| head`). Such a run ends rnx
 * with the exit code of the cause, not with the job's own 137 or 143 (its record keeps that).
 */
export type StoppedBy = 'signal' | 'output';

export function stoppedBy(signalled: boolean, outputClosed: boolean): StoppedBy | undefined {
  if (signalled) return 'signal';
  return outputClosed ? 'output' : undefined;
}

export const EXIT_WHEN_STOPPED: Readonly<Record<StoppedBy, number>> = {
  signal: EXIT.interrupted,
  output: EXIT.outputClosed,
};

/** The exit code of each kind of Problem. */
const EXIT_FOR_KIND = {
  input: EXIT.usage,
  'not-found': EXIT.failed,
  failed: EXIT.failed,
  host: EXIT.host,
} as const satisfies Record<ProblemKind, number>;

export function exitCodeFor(problem: Problem): number {
  return EXIT_FOR_KIND[problemKind(problem.code)];
}

/** What each exit code means, as `rnx --help` and the README's table say it. */
export const EXIT_MEANINGS: readonly (readonly [number, string])[] = [
  [EXIT.ok, 'success: a valid file, a completed job or workflow'],
  [EXIT.failed, 'a job or workflow ran and failed, or the thing asked for does not exist'],
  [EXIT.usage, 'invalid input: bad flags, an invalid workflow file, a refused request'],
  [EXIT.host, "the host lacks something rnx needs (see 'rnx system check')"],
  [
    EXIT.internal,
    'internal error: an exception rnx did not expect, named in one line (RNX_DEBUG=1 shows the trace)',
  ],
  [EXIT.interrupted, 'interrupted (Ctrl-C, SIGTERM or SIGHUP)'],
  [
    EXIT.outputClosed,
    'standard output was closed (its reader, say head, went away): rnx stopped quietly',
  ],
];

/** Every exit code rnx itself may return (a job's own code aside). */
export const DOCUMENTED_EXIT_CODES: ReadonlySet<number> = new Set(EXIT_MEANINGS.map(([c]) => c));
