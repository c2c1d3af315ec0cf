/**
 * A wait or a follow that SIGINT, SIGTERM and SIGHUP end (`rnx job wait`, `rnx workflow logs -f`):
 * `work` gets a signal aborted by the first of them, and the handler is released when it is done.
 */
import type { CliContext } from './context.js';

export async function interruptible<T>(
  ctx: CliContext,
  work: (interrupted: AbortSignal) => Promise<T>,
): Promise<T> {
  const interrupted = new AbortController();
  const off = ctx.onSignal(() => interrupted.abort());
  try {
    return await work(interrupted.signal);
  } finally {
    off();
  }
}
