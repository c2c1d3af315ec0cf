/**
 * Stopping a job: SIGTERM to every process of the job (found through its cgroup), a grace period,
 * then SIGKILL to the whole tree. The job's PID 1 ignores SIGTERM unless it installed a handler, so
 * when everything else is gone and PID 1 has no handler, waiting longer is pointless: kill it then.
 * Killing a PID namespace's PID 1 with SIGKILL kills every process in that namespace.
 */
import { jobPids, killJob, signalJob } from '../cgroups/procs.js';
import type { JobCgroup } from '../cgroups/job-cgroup.js';
import { catchesSignal } from '../records/proc-identity.js';

export const DEFAULT_GRACE_MS = 10_000;
const SIGTERM_NUMBER = 15;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export interface StopTarget {
  readonly cgroup: Pick<JobCgroup, 'trackDir' | 'killFile'>;
  /** Host pid of the job's PID 1, when known. */
  readonly initPid?: number;
}

/**
 * SIGTERM, then SIGKILL after `graceMs` (or earlier, once only a handler-less PID 1 is left).
 * Resolves when the job's cgroup has no process left or `ended` resolves.
 */
export async function stopJob(
  target: StopTarget,
  graceMs: number,
  ended: Promise<unknown> = new Promise(() => undefined),
): Promise<void> {
  let over = false;
  void ended.then(() => (over = true));
  signalJob(target.cgroup, 'SIGTERM');
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
      !catchesSignal(init, SIGTERM_NUMBER)
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
