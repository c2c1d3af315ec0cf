/**
 * While a job runs: a graceful stop on request (SIGTERM to all, grace period, SIGKILL), a kill at
 * once on the second request, and its timeout. Resolves when the job's process has ended, saying
 * whether a stop was asked for and whether the timeout fired.
 */
import type { Exit } from '../start/job-process.js';
import { setLongTimeout } from '../../long-timeout.js';
import { killNow, stopJob, type StopTarget } from './stop-job.js';

export interface Supervised {
  readonly exit: Exit;
  readonly stopRequested: boolean;
  readonly timedOut: boolean;
}

export interface SuperviseOptions {
  readonly target: StopTarget;
  readonly exited: Promise<Exit>;
  readonly graceMs: number;
  /** Default SIGTERM. */
  readonly stopSignal?: NodeJS.Signals;
  readonly timeoutMs?: number;
  /** Aborting stops the job gracefully. */
  readonly signal?: AbortSignal;
  /** Aborting kills the job at once. */
  readonly killSignal?: AbortSignal;
  /** Called once the requests are being watched (so a request made from it is not missed). */
  readonly onWatching?: () => void;
}

export async function superviseJob(options: SuperviseOptions): Promise<Supervised> {
  const { target, exited, graceMs } = options;
  let stopRequested = false;
  let timedOut = false;
  let stopping = false;
  let killing = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    void stopJob(target, graceMs, exited, options.stopSignal);
  };
  const onStop = (): void => {
    stopRequested = true;
    stop();
  };
  const onKill = (): void => {
    stopRequested = true;
    if (killing) return;
    killing = true;
    void killNow(target, exited);
  };
  options.signal?.addEventListener('abort', onStop, { once: true });
  options.killSignal?.addEventListener('abort', onKill, { once: true });
  options.onWatching?.();
  if (options.signal?.aborted) onStop();
  if (options.killSignal?.aborted) onKill();
  const cancelTimer =
    options.timeoutMs === undefined
      ? undefined
      : setLongTimeout(() => {
          timedOut = !stopRequested;
          stop();
        }, options.timeoutMs);
  const exit = await exited;
  cancelTimer?.();
  options.signal?.removeEventListener('abort', onStop);
  options.killSignal?.removeEventListener('abort', onKill);
  return { exit, stopRequested, timedOut };
}
