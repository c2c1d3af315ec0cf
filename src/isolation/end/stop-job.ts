/**
 * Stopping a job: its stop signal to every process of the job (found through its cgroup), a grace
 * period, then SIGKILL to the whole tree. Nothing polls: the wait is woken by the kernel, through
 * the job's unified cgroup (events.ts: `populated 0` when no process is left), or by the caller's
 * `ended` (the job's end as its owner sees it), or by the grace period's one timer.
 *
 * The job's PID 1 ignores a signal it has no handler for (the kernel drops it). When PID 1 is the
 * job's only process and has no handler, the signal can do nothing: it is killed at once, without
 * waiting out the grace period. Otherwise PID 1 may end by itself once the signal ended its
 * children (a shell whose foreground child was stopped exits 143), however long the machine takes
 * to get to that: the stop waits for the job's end until the grace period is over, and only then
 * kills. Killing a PID namespace's PID 1 with SIGKILL kills every process in that namespace.
 */
import { constants } from 'node:os';
import { jobPids, killJob, signalJob } from '../cgroups/procs.js';
import type { JobCgroup } from '../cgroups/job-cgroup.js';
import { unifiedDirOf, whenEmpty } from '../cgroups/events.js';
import { catchesSignal } from '../records/proc-identity.js';
import { DEFAULT_STOP_SIGNAL } from './stop-defaults.js';

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

/** How long a SIGKILLed job may take to be gone (its namespace torn down) before rnx goes on. */
const KILL_BOUND_MS = 2000;

export interface StopTarget {
  readonly cgroup: Pick<JobCgroup, 'trackDir' | 'killFile' | 'dirs'>;
  /** Host pid of the job's PID 1, when known. */
  readonly initPid?: number;
}

const never = new Promise<never>(() => undefined);

function timer(ms: number): { promise: Promise<'timer'>; clear: () => void } {
  let handle: NodeJS.Timeout | undefined;
  const promise = new Promise<'timer'>((resolve) => {
    handle = setTimeout(() => resolve('timer'), ms);
  });
  return { promise, clear: () => clearTimeout(handle) };
}

/**
 * The job is its PID 1 alone, with no handler for `signal`: the signal would do nothing. Read
 * before the signal is sent: once sent, children it ended at once would make PID 1 look alone
 * although it may be about to end by itself.
 */
function deafAndAlone(target: StopTarget, signal: NodeJS.Signals): boolean {
  const init = target.initPid;
  if (init === undefined || catchesSignal(init, constants.signals[signal])) return false;
  const pids = jobPids(target.cgroup);
  return pids.length === 1 && pids[0] === init;
}

/**
 * The stop signal (SIGTERM unless the job chose another), then SIGKILL after `graceMs` (at once
 * when the job is a PID 1 alone without a handler for that signal). Resolves when the job's
 * cgroup has no process left or `ended` resolves.
 */
export async function stopJob(
  target: StopTarget,
  graceMs: number,
  ended: Promise<unknown> = never,
  signal: NodeJS.Signals = DEFAULT_STOP_SIGNAL,
): Promise<void> {
  if (!deafAndAlone(target, signal)) {
    const dir = unifiedDirOf(target.cgroup);
    const empty = dir === undefined ? undefined : whenEmpty(dir);
    const gone = Promise.race([ended, empty?.empty ?? never]).then(() => 'gone' as const);
    signalJob(target.cgroup, signal);
    const grace = timer(graceMs);
    try {
      if ((await Promise.race([gone, grace.promise])) === 'gone') return;
    } finally {
      grace.clear();
      empty?.close();
    }
  }
  await killNow(target, ended);
}

/** SIGKILL to the whole tree, then wait (bounded) until it is gone. */
export async function killNow(target: StopTarget, ended: Promise<unknown> = never): Promise<void> {
  if (target.initPid !== undefined) {
    try {
      process.kill(target.initPid, 'SIGKILL');
    } catch {
      // Gone already.
    }
  }
  killJob(target.cgroup);
  const dir = unifiedDirOf(target.cgroup);
  if (dir === undefined && jobPids(target.cgroup).length === 0) return;
  const empty = dir === undefined ? undefined : whenEmpty(dir);
  const bound = timer(KILL_BOUND_MS);
  try {
    await Promise.race([ended, empty?.empty ?? never, bound.promise]);
  } finally {
    bound.clear();
    empty?.close();
  }
  // Whatever the kernel had not torn down yet: once more (removeJobCgroup kills stragglers too).
  if (jobPids(target.cgroup).length > 0) killJob(target.cgroup);
}
