/**
 * A job's processes, found through its cgroup: listing them, signalling them all, killing the whole
 * tree, and removing the cgroup once they are gone.
 */
import { monotonicMs } from '../../clock.js';
import { rmdirSync, writeFileSync } from 'node:fs';
import { rmdir, writeInOneGo } from '../../async-fs.js';
import { join } from 'node:path';
import { readIfAny } from '../../read-if-any.js';
import { fail, ok, type Result } from '../../problem.js';
import type { JobCgroup } from './job-cgroup.js';
import { unifiedDirOf, whenEmpty } from './events.js';
import { cgroupLayout } from './layout.js';
import {
  afterWrite,
  bootId,
  readWarmRecord,
  shouldWarm,
  slowOn,
  writeWarmRecord,
  type WarmRecord,
} from './warm-need.js';

/** Resolves once the cgroup has no process left, or after `ms`. */
async function emptyWithin(dir: string, ms: number): Promise<void> {
  const watch = whenEmpty(dir);
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([watch.empty, new Promise((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
  watch.close();
}

function pidsOf(dir: string): number[] {
  const text = readIfAny(join(dir, 'cgroup.procs'))?.trim() ?? '';
  return text === ''
    ? []
    : text
        .split('\n')
        .map(Number)
        .filter((pid) => pid > 0);
}

/** Every process of the job, by host pid: its tracking cgroup's. */
export function jobPids(cgroup: Pick<JobCgroup, 'trackDir'>): number[] {
  return pidsOf(cgroup.trackDir);
}

/**
 * Moves process `pid` into the job's cgroups (every cgroup.procs file of the job: each v1
 * hierarchy and the unified one), in parallel and off rnx's thread. What it starts from then on is
 * the job's too: its limits apply, a stop kills it. The job's PID 1 joins this way before the go,
 * and an exec probe's process before it enters the job.
 */
export async function joinCgroups(files: readonly string[], pid: number): Promise<Result<void>> {
  try {
    await Promise.all(files.map((file) => writeInOneGo(file, String(pid))));
    return ok(undefined);
  } catch (error) {
    return fail('start-failed', `the job could not join its cgroup: ${(error as Error).message}`);
  }
}

/** See warmCgroupMoves. */
const WARM_EVERY_MS = 5;
let lastWarm = -Infinity;

/**
 * Takes the kernel's wait out of a job's cgroup join. A move into a cgroup (a write to
 * cgroup.procs) first waits for an RCU grace period (the writer side of the kernel's
 * cgroup_threadgroup_rwsem): 7 to 16 ms on some machines, idle (0.8 ms on others), once per
 * burst of moves, since moves that follow within a few milliseconds skip it. This moves rnx into
 * the cgroup it is already in (its own, as /proc/self/cgroup says: nothing changes), off rnx's
 * thread, as soon as the job's
 * cgroups are made; the job's own moves, made when bwrap says the job's pid, then find the wait
 * done or queue behind it. Its errors are ignored: it only saves time.
 *
 * At most once per WARM_EVERY_MS: in a workflow, jobs start every few milliseconds and their own
 * moves keep the wait away; moving rnx (all its threads) again for each took its thread about
 * 0.1 ms a job and the kernel more (a 300-job DAG: about 3% less wall and CPU time in one series
 * of alternated runs, within noise in another).
 *
 * Not at all where it does not pay: with `stateDir`, the first warm-up of a process is timed and
 * the state directory keeps what this boot's warm-ups took; after a few fast ones in a row (no
 * long wait on this kernel) rnx stops warming until the next boot (warm-need.ts).
 */
export function warmCgroupMoves(stateDir?: string): void {
  const now = monotonicMs();
  if (now - lastWarm < WARM_EVERY_MS) return;
  lastWarm = now;
  const need = stateDir === undefined ? undefined : warmNeedOf(stateDir);
  if (need !== undefined && !shouldWarm(need.record, need.boot)) return;
  const layout = cgroupLayout();
  const own = layout.unified ?? layout.v1.pids;
  if (own === undefined) return;
  const file = join(own, 'cgroup.procs');
  // Timed once per process (later warm-ups follow the jobs' own joins, which hide the wait), and
  // only while this boot's record says neither slow nor enough fast: then on rnx's thread, since
  // a callback would run only once the start lets it (tens of ms later). Once per boot where the
  // wait is long (it then goes on off the thread), a few times where it is short.
  const timed = need !== undefined && !timedOnce && !slowOn(need.record, need.boot);
  timedOnce = true;
  if (timed) {
    const began = monotonicMs();
    try {
      writeFileSync(file, String(process.pid));
    } catch {
      return; // Not writable (another layout): nothing saved, nothing lost.
    }
    writeWarmRecord(need.stateDir, afterWrite(need.record, need.boot, monotonicMs() - began));
    return;
  }
  // In one go (async-fs.ts): rnx's thread is busy with the start until bwrap runs.
  try {
    writeInOneGo(file, String(process.pid)).catch(() => undefined);
  } catch {
    // Not writable (another layout): nothing saved, nothing lost.
  }
}

let timedOnce = false;

interface WarmNeed {
  readonly stateDir: string;
  readonly boot: string;
  readonly record: WarmRecord | undefined;
}
let warmNeedCache: WarmNeed | undefined;

/** This boot's record, read once per process; undefined without a boot id (no /proc). */
function warmNeedOf(stateDir: string): WarmNeed | undefined {
  if (warmNeedCache !== undefined) return warmNeedCache;
  const boot = bootId();
  if (boot === undefined) return undefined;
  warmNeedCache = { stateDir, boot, record: readWarmRecord(stateDir) };
  return warmNeedCache;
}

/** Sends `signal` to every process of the job; returns how many were signalled. */
export function signalJob(cgroup: Pick<JobCgroup, 'trackDir'>, signal: NodeJS.Signals): number {
  let count = 0;
  for (const pid of jobPids(cgroup)) {
    try {
      process.kill(pid, signal);
      count++;
    } catch {
      // Already gone.
    }
  }
  return count;
}

/** SIGKILL to the whole tree: cgroup.kill when present, and every listed process in any case. */
export function killJob(cgroup: Pick<JobCgroup, 'trackDir' | 'killFile'>): void {
  if (cgroup.killFile !== undefined) {
    try {
      writeFileSync(cgroup.killFile, '1');
    } catch {
      // Removed already, or a kernel without cgroup.kill: fall through to signals.
    }
  }
  signalJob(cgroup, 'SIGKILL');
}

/** Removes an empty cgroup directory; true when it is gone (or never was). */
export function tryRmdir(dir: string): boolean {
  try {
    rmdirSync(dir);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ENOENT';
  }
}

/** tryRmdir off rnx's thread (a cgroup's rmdir takes the kernel a while). */
async function removeDir(dir: string): Promise<boolean> {
  try {
    await rmdir(dir);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ENOENT';
  }
}

/** Removes `dirs` at once, off rnx's thread; returns those still there. */
async function removeDirs(dirs: readonly string[]): Promise<string[]> {
  const gone = await Promise.all(dirs.map(removeDir));
  return dirs.filter((_, i) => gone[i] !== true);
}

/**
 * Removes the job's cgroups. A cgroup can only go once its last process has left; processes of an
 * ended PID namespace take a moment to be released, so this retries briefly, killing stragglers.
 */
export async function removeJobCgroup(
  cgroup: Pick<JobCgroup, 'dirs' | 'trackDir' | 'killFile'>,
): Promise<Result<void>> {
  let left = [...cgroup.dirs];
  const unified = unifiedDirOf(cgroup);
  for (let attempt = 0; attempt < 60 && left.length > 0; attempt++) {
    // Each hierarchy's directory is removed at once with the others', off rnx's thread (a
    // cgroup's rmdir takes the kernel a while: every controller lets go of it); in sequence they
    // cost the end of every job a round trip to libuv's threads each.
    left = await removeDirs(left);
    if (left.length === 0) break;
    if (attempt > 2) killJob(cgroup);
    // The kernel says when the last process has left (the unified cgroup's events): wait for
    // that first; after it (or without it), a few short bounded attempts.
    if (attempt === 0 && unified !== undefined) await emptyWithin(unified, 2000);
    else await new Promise((resolve) => setTimeout(resolve, Math.min(50, 1 << attempt)));
  }
  return left.length === 0
    ? ok(undefined)
    : fail('cgroup-busy', `could not remove cgroup ${left.join(', ')}: processes remain`);
}
