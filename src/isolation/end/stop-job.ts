/**
 * Stopping a job: its stop signal to every process of the job (found through its cgroup), a grace
 * period, then SIGKILL to the whole tree. Nothing polls: the waits are woken by the kernel, through
 * the job's unified cgroup (events.ts: `populated 0` when no process is left), or by the caller's
 * `ended` (the job's end as its owner sees it), or by the grace period's one timer.
 *
 * The job's PID 1 ignores a signal it has no handler for (the kernel drops it), so when PID 1 has
 * none, waiting for it is pointless once its other processes are gone: they are moved into a child
 * cgroup of the job's, whose emptiness the kernel reports, and PID 1 is killed then, after a
 * quarter of a second to end by itself (a shell whose child the signal ended exits on its own);
 * processes PID 1 starts meanwhile are moved there too, and waited for. Killing a PID namespace's
 * PID 1 with SIGKILL kills every process in that namespace.
 */
import { constants } from 'node:os';
import { jobPids, killJob, signalJob } from '../cgroups/procs.js';
import type { JobCgroup } from '../cgroups/job-cgroup.js';
import {
  moveAllBut,
  procsIn,
  removeStopping,
  STOPPING,
  unifiedDirOf,
  whenEmpty,
} from '../cgroups/events.js';
import { catchesSignal } from '../records/proc-identity.js';
import { join } from 'node:path';
import { DEFAULT_STOP_SIGNAL } from './stop-defaults.js';

export { DEFAULT_GRACE_MS } from './stop-defaults.js';
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
/** How long a PID 1 left alone by the stop gets to end by itself before it is killed. */
const PID1_SETTLE_MS = 250;

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
 * Resolves once only `init` is left of the job (woken by its stopping child cgroup emptying);
 * never when the job has no unified cgroup to watch.
 */
function onlyInitLeft(
  target: StopTarget,
  init: number,
): { promise: Promise<'only-init'>; close: () => void } {
  const dir = unifiedDirOf(target.cgroup);
  if (dir === undefined || !moveAllBut(dir, init))
    return { promise: never, close: () => undefined };
  let watch: ReturnType<typeof whenEmpty> | undefined;
  let settle: NodeJS.Timeout | undefined;
  let closed = false;
  const promise = new Promise<'only-init'>((resolve) => {
    const look = (first: boolean): void => {
      if (closed) return;
      const pids = jobPids(target.cgroup);
      if (pids.length <= 1 && (pids[0] ?? init) === init) {
        // Alone from the start: the signal did nothing to it. Alone since its other processes
        // ended: it may be ending by itself because of that (a shell whose child was killed
        // exits 143): a moment for that, then the kill.
        if (first) resolve('only-init');
        else settle = setTimeout(() => resolve('only-init'), PID1_SETTLE_MS);
        return;
      }
      // PID 1 started more meanwhile: those are waited for too. What cannot be moved (it is
      // not in the unified cgroup) leaves the grace period to decide.
      moveAllBut(dir, init);
      if (procsIn(dir).some((pid) => pid !== init)) return;
      watch = whenEmpty(join(dir, STOPPING));
      void watch.empty.then(() => look(false));
    };
    look(true);
  });
  return {
    promise,
    close: () => {
      closed = true;
      clearTimeout(settle);
      watch?.close();
      removeStopping(dir);
    },
  };
}

/**
 * The stop signal (SIGTERM unless the job chose another), then SIGKILL after `graceMs` (or
 * earlier, once only a PID 1 without a handler for that signal is left). Resolves when the job's
 * cgroup has no process left or `ended` resolves.
 */
export async function stopJob(
  target: StopTarget,
  graceMs: number,
  ended: Promise<unknown> = never,
  signal: NodeJS.Signals = DEFAULT_STOP_SIGNAL,
): Promise<void> {
  const dir = unifiedDirOf(target.cgroup);
  const empty = dir === undefined ? undefined : whenEmpty(dir);
  const gone = Promise.race([ended, empty?.empty ?? never]).then(() => 'gone' as const);
  signalJob(target.cgroup, signal);
  const init = target.initPid;
  const idle =
    init !== undefined && !catchesSignal(init, constants.signals[signal])
      ? onlyInitLeft(target, init)
      : undefined;
  const grace = timer(graceMs);
  try {
    const first = await Promise.race([gone, grace.promise, idle?.promise ?? never]);
    if (first === 'gone') return;
  } finally {
    grace.clear();
    empty?.close();
    idle?.close();
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
