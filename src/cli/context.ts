/**
 * What a command gets to talk to the world: output streams, environment, working directory and
 * whether to use colour. Commands write through it (never console.*), so tests can capture them.
 */
import type { Writable } from 'node:stream';
import type { OptionSpecs, ParseMode, ParsedArgs } from './args.js';
import type { HostNeeds } from '../isolation/start/host-check.js';

export interface CliContext {
  readonly stdout: Writable;
  readonly stderr: Writable;
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  /** True when stdout is a terminal and NO_COLOR is unset: colours, emoji and live views allowed. */
  readonly fancy: boolean;
  /**
   * rnx's standard input as a file descriptor to hand a foreground job, when it is not a terminal
   * (a pipe or a file: `echo hi | rnx job run cat`); undefined when it is a terminal.
   */
  readonly stdinFd?: number;
  /** rnx's standard input when it is a terminal: handed to a job only on request (`-i`). */
  readonly terminalStdinFd?: number;
  /** Registers a handler for SIGINT, SIGTERM and SIGHUP; returns a function that removes it. */
  onSignal(handler: (signal: NodeJS.Signals) => void): () => void;
}

export interface Command {
  /** Words after `rnx`, e.g. `network create`. */
  readonly path: string;
  readonly usage: string;
  readonly summary: string;
  /** Extra help text: examples, notes. */
  readonly details?: string;
  readonly options: OptionSpecs;
  /**
   * True when this run needs no state, or reads it only when it turns out to need it and changes
   * nothing (`workflow graph`, `workflow validate`): rnx then does not clean up after killed runs
   * first (which opens the state database). Default: it does.
   */
  readonly stateless?: (args: ParsedArgs) => boolean;
  /**
   * What this run needs of the host, checked before it runs (nothing is read or made first): a
   * command that cannot work without root says so in one line, exit 3, as does one whose tools
   * are not on PATH. Absent: it works for anyone who can read the state directory.
   */
  readonly needs?: (args: ParsedArgs) => HostNeeds | undefined;
  readonly parseMode?: ParseMode;
  /** At most this many positional arguments (checked before the command runs); no limit when absent. */
  readonly maxPositionals?: number;
  /** Runs the command and returns the process exit code. */
  run(ctx: CliContext, args: ParsedArgs): Promise<number>;
}

export { EXIT } from './exit-codes.js';
