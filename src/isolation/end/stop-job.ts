/**
 * Stopping a job: SIGTERM to every process of the job (found through its cgroup), a grace period,
 * then SIGKILL to the whole tree. The job's PID 1 ignores SIGTERM unless it installed a handler, so
 * when everything else is gone and PID 1 has no handler, waiting longer is pointless: kill it then.
 * Killing a PID namespace's PID 1 with SIGKILL kills every process in that namespace.
 */
import { constants } from 'node:os';
import { jobPids, killJob, signalJob } from '../cgroups/procs.js';
import type { JobCgroup } from '../cgroups/job-cgroup.js';
import { catchesSignal } from '../records/proc-identity.js';

export const DEFAULT_GRACE_MS = 10_000;
export const DEFAULT_STOP_SIGNAL: NodeJS.Signals = 'SIGTERM';
/** The signals a job may choose to be stopped with (the schema's `signal` lists the same). */
export const STOP_SIGNALS: readonly NodeJS.Signals[] = [
  'SIGTERM',
  'SIGINT',
  'SIGQUIT',
  'SIGHUP',
  'SIGUSR1',
  'SIGUSR2',
  'SIGWINCH',
  'SIGKILL',
];

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export interface StopTarget {
  readonly cgroup: Pick<JobCgroup, 'trackDir' | 'killFile'>;
  /** Host pid of the job's PID 1, when known. */
  readonly initPid?: number;
}

/**
 * The stop signal (SIGTERM unless the job chose another), then SIGKILL after `graceMs` (or
 * earlier, once only a PID 1 without a handler for that signal is left). Resolves when the job's
 * cgroup has no process left or `ended` resolves.
 */
export async function stopJob(
  target: StopTarget,
  graceMs: number,
  ended: Promise<unknown> = new Promise(() => undefined),
  signal: NodeJS.Signals = DEFAULT_STOP_SIGNAL,
): Promise<void> {
  let over = false;
  void ended.then(() => (over = true));
  const number = constants.signals[signal];
  signalJob(target.cgroup, signal);
  const deadline = performance.now() + graceMs;
  let delay = 2;
  while (!over && performance.now() < deadline) {
    await Promise.race([ended, sleep(delay)]);
    if (over) return;
    const pids = jobPids(target.cgroup);
    if (pids.length === 0) return;
    const init = target.initPid;
    if (
      pids.length === 1 &&
      init !== undefined &&
      pids[0] === init &&
      !catchesSignal(init, number)
    ) {
      break;
    }
    delay = Math.min(delay * 2, 100);
  }
  if (!over) await killNow(target, ended);
}

/** SIGKILL to the whole tree, then wait until it is gone. */
export async function killNow(
  target: StopTarget,
  ended: Promise<unknown> = new Promise(() => undefined),
): Promise<void> {
  let over = false;
  void ended.then(() => (over = true));
  if (target.initPid !== undefined) {
    try {
      process.kill(target.initPid, 'SIGKILL');
    } catch {
      // Gone already.
    }
  }
  killJob(target.cgroup);
  for (let i = 0; i < 200 && !over && jobPids(target.cgroup).length > 0; i++) {
    await Promise.race([ended, sleep(5)]);
    if (i % 20 === 19) killJob(target.cgroup);
  }
}
