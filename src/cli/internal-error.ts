/**
 * The last line of defence: an exception nothing caught, or a promise rejection nothing handled,
 * is a bug in rnx or a fault of the surroundings it does not know yet. Either way the user sees one
 * line naming it and exit code EXIT.internal (70), never a stack trace; `RNX_DEBUG=1` adds the
 * trace. What the command holds (a running job, a workflow's jobs, their cgroups, veths and leases)
 * is released as on SIGTERM, then rnx exits.
 */
import { clip, printable } from '../printable.js';
import { EXIT } from './exit-codes.js';
import { releaseHeld } from './process-signals.js';

/** How long the graceful release may take before it is asked again, as a second Ctrl-C would. */
const RELEASE_MS = 60_000;
/** After the second ask, how long until rnx exits anyway. */
const LAST_WORDS_MS = 15_000;

export interface InternalErrorOutput {
  readonly stderr: NodeJS.WritableStream;
  readonly env: NodeJS.ProcessEnv;
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const first = error.message.split('\n')[0] ?? '';
    return `${error.name}: ${first}`;
  }
  return `a thrown ${typeof error}: ${String(error)}`;
}

/** `rnx: internal error: TypeError: ...` with how to see more: the one line a user sees. */
export function internalErrorLine(error: unknown, debug: boolean): string {
  const more = debug ? 'its stack trace follows' : 'RNX_DEBUG=1 shows its stack trace';
  return `rnx: internal error (a bug in rnx, or a fault of this host it does not recognise): ${printable(clip(describe(error)))}; ${more}`;
}

function trace(error: unknown): string {
  if (error instanceof Error) return error.stack ?? String(error);
  return String(error);
}

export interface InternalErrors {
  /** Reports `error` (once: later ones only with RNX_DEBUG), releases what is held, exits 70. */
  report(error: unknown): void;
  /** True once an internal error was reported: the command's own exit code no longer counts. */
  readonly happened: boolean;
}

/** Installs the handlers for uncaught exceptions and unhandled rejections. */
export function catchInternalErrors(out: InternalErrorOutput): InternalErrors {
  const debug = out.env['RNX_DEBUG'] === '1';
  let happened = false;
  const report = (error: unknown): void => {
    if (happened) {
      if (debug) out.stderr.write(`rnx: another internal error while releasing: ${trace(error)}\n`);
      return;
    }
    happened = true;
    process.exitCode = EXIT.internal;
    try {
      out.stderr.write(`${internalErrorLine(error, debug)}\n`);
      if (debug) out.stderr.write(`${trace(error)}\n`);
    } catch {
      // stderr is gone too: the exit code still says it.
    }
    if (!releaseHeld('SIGTERM')) {
      process.exit(EXIT.internal);
    }
    // The command's own cleanup runs now; if it does not finish, ask again, then give up.
    setTimeout(() => {
      releaseHeld('SIGTERM');
      setTimeout(() => process.exit(EXIT.internal), LAST_WORDS_MS).unref();
    }, RELEASE_MS).unref();
  };
  process.on('uncaughtException', report);
  process.on('unhandledRejection', report);
  return {
    report,
    get happened() {
      return happened;
    },
  };
}
