/**
 * How the rnx process meets its surroundings: signals and closed output.
 *
 * - SIGINT, SIGTERM and SIGHUP (a closed terminal, a dropped ssh session) are one thing: the
 *   commands that hold something (a running job, a workflow, a follow) register a handler through
 *   `CliContext.onSignal` and release it; with no handler registered, the default applies (nothing
 *   is held, so dying is safe).
 * - A closed stdout or stderr (`rnx network inspect bridge | head -1`: EPIPE; a vanished terminal:
 *   EIO) never ends in a trace. A command that handles it itself (a job or workflow run stops its
 *   jobs, as SIGPIPE would) keeps doing so, and while a signal handler runs its cleanup the error is
 *   swallowed (a closed stdout is passed on to the handlers once, as SIGPIPE); otherwise rnx exits at
 *   once and quietly with EXIT.outputClosed.
 */
import { monotonicMs } from '../clock.js';
import { EXIT } from './exit-codes.js';

export const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

type Handler = (signal: NodeJS.Signals) => void;
const active = new Set<Handler>();

/**
 * Started as `node bin/rnx.js` by an older Node, rnx runs as the child of a launcher that forwards
 * signals (it sets RNX_LAUNCHER=forwarding). A terminal's Ctrl-C, sent to the whole process group,
 * then arrives twice, from the terminal and from the launcher: the same signal twice within this
 * time counts once there, so that the second is not taken for "kill now".
 */
export const SAME_SIGNAL_MS = 150;
let dedupe = false;
let last: { signal: NodeJS.Signals; at: number } | undefined;

export function signalsForwardedByLauncher(forwarded: boolean): void {
  dedupe = forwarded;
}

function deliver(signal: NodeJS.Signals): void {
  const now = monotonicMs();
  const again = last !== undefined && last.signal === signal && now - last.at < SAME_SIGNAL_MS;
  if (dedupe && again) return;
  last = { signal, at: now };
  for (const handler of [...active]) handler(signal);
}

/**
 * Asks whatever is held (a running job, a workflow, a follow) to let go as SIGTERM would; false
 * when nothing is held. Used when rnx cannot go on (an internal error).
 */
export function releaseHeld(signal: NodeJS.Signals): boolean {
  if (active.size === 0) return false;
  for (const handler of [...active]) handler(signal);
  return true;
}

export function onStopSignal(handler: Handler): () => void {
  if (active.size === 0) for (const signal of STOP_SIGNALS) process.on(signal, deliver);
  active.add(handler);
  return () => {
    active.delete(handler);
    if (active.size === 0) for (const signal of STOP_SIGNALS) process.off(signal, deliver);
  };
}

/** Installs the closed-output handling on stdout and stderr (once, at start-up). */
export function exitQuietlyOnClosedOutput(): void {
  let told = false;
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', () => {
      // The command listens itself (a job or workflow run stops its jobs): leave it to it.
      if (stream.listenerCount('error') > 1) return;
      if (active.size === 0) process.exit(EXIT.outputClosed);
      // Something is held (a follow, a cleanup under way): a closed stdout asks it to stop, once,
      // as SIGPIPE would; errors on stderr are swallowed so that the cleanup can finish.
      if (stream === process.stdout && !told) {
        told = true;
        for (const handler of [...active]) handler('SIGPIPE');
      }
    });
  }
}
