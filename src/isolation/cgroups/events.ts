/**
 * Kernel events of a job's cgroup, so that stopping a job waits for what happens instead of
 * looking again and again: the unified (v2) hierarchy's `cgroup.events` says `populated 0` once no
 * process is left in a cgroup or below it, and the kernel tells inotify (fs.watch) each time it
 * changes. On this hybrid layout every job has a directory there too (for cgroup.kill); a host
 * with no unified hierarchy has no such events (stopping then waits for the job's end or its
 * grace period only).
 *
 * `stopping` is a child cgroup a stop moves every process but PID 1 into: its `populated 0` says
 * PID 1 is alone. It has no controllers (the limits stay with the job's cgroups, the parent), and
 * removeJobCgroup removes it with the job's.
 */
import { existsSync, mkdirSync, readFileSync, rmdirSync, watch, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { JobCgroup } from './job-cgroup.js';

/** The stop's child cgroup, in the job's unified directory. */
export const STOPPING = 'rnx-stopping';

/** The job's directory in the unified hierarchy, when it has one. */
export function unifiedDirOf(cgroup: Pick<JobCgroup, 'dirs' | 'trackDir'>): string | undefined {
  return [cgroup.trackDir, ...(cgroup.dirs ?? [])].find((dir) =>
    existsSync(join(dir, 'cgroup.events')),
  );
}

function populated(dir: string): boolean {
  try {
    return /^populated 1$/m.test(readFileSync(join(dir, 'cgroup.events'), 'utf8'));
  } catch {
    return false;
  }
}

export interface EmptyWatch {
  /** Resolves once no process is left in the cgroup (at once if none is). */
  readonly empty: Promise<void>;
  close(): void;
}

/** Woken by the kernel when the cgroup `dir` (and everything below it) has no process left. */
export function whenEmpty(dir: string, onChange?: () => void): EmptyWatch {
  let close = (): void => undefined;
  const empty = new Promise<void>((resolve) => {
    try {
      const watcher = watch(join(dir, 'cgroup.events'), () => {
        onChange?.();
        if (!populated(dir)) {
          watcher.close();
          resolve();
        }
      });
      watcher.on('error', () => {
        watcher.close();
        resolve();
      });
      close = () => watcher.close();
    } catch {
      // Gone already: nothing is left in it.
      resolve();
      return;
    }
    if (!populated(dir)) {
      close();
      resolve();
    }
  });
  return { empty, close: () => close() };
}

/** The processes directly in a cgroup directory. */
export function procsIn(dir: string): number[] {
  try {
    return readFileSync(join(dir, 'cgroup.procs'), 'utf8')
      .split('\n')
      .map(Number)
      .filter((pid) => pid > 0);
  } catch {
    return [];
  }
}

/**
 * Moves every process of the unified directory `dir` but `keep` into its stopping child (made
 * when missing); processes that ended meanwhile are skipped. False when it cannot be made.
 */
export function moveAllBut(dir: string, keep: number): boolean {
  const stopping = join(dir, STOPPING);
  try {
    mkdirSync(stopping);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') return false;
  }
  for (const pid of procsIn(dir)) {
    if (pid === keep) continue;
    try {
      writeFileSync(join(stopping, 'cgroup.procs'), String(pid));
    } catch {
      // Ended meanwhile.
    }
  }
  return true;
}

/** Removes the stopping child once it is empty (true when it is gone or never was). */
export function removeStopping(dir: string): boolean {
  try {
    rmdirSync(join(dir, STOPPING));
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ENOENT';
  }
}
