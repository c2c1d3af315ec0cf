/**
 * Kernel events of a job's cgroup, so that stopping a job waits for what happens instead of
 * looking again and again: the unified (v2) hierarchy's `cgroup.events` says `populated 0` once no
 * process is left in a cgroup or below it, and the kernel tells inotify (fs.watch) each time it
 * changes. On this hybrid layout every job has a directory there too (for cgroup.kill); a host
 * with no unified hierarchy has no such events (stopping then waits for the job's end or its
 * grace period only).
 */
import { existsSync, readFileSync, watch } from 'node:fs';
import { join } from 'node:path';
import type { JobCgroup } from './job-cgroup.js';

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
