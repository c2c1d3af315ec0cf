/**
 * Whether the job's command exists, decided by rnx before the start, from what the job will see:
 * the job's paths are mapped to the host (its root: the host's / or the runtime's tree, /work its
 * workspace, /volumes/NAME its volumes; /tmp and /run start empty) and looked up the way execvp(3)
 * does, through the job's PATH, following symlinks inside the job's root. So "command not found"
 * is known as data before anything runs, never read from a tool's message. Only a certain "no" is
 * reported: anything this cannot see (a /proc path, an unreadable directory) counts as found and
 * is left to exec, whose failure is then the job's exit status 127.
 */
import { accessSync, constants, lstatSync, readlinkSync } from 'node:fs';
import { join, posix } from 'node:path';

export interface JobView {
  /** Host directory that is the job's / . */
  readonly root: string;
  /** Job path → host directory, for the directories bound elsewhere (/work, /volumes/NAME). */
  readonly binds: ReadonlyMap<string, string>;
  /** Job directories that start empty (/tmp, /run). */
  readonly empty: readonly string[];
  /** Job directories this cannot look into (/proc, /sys, /dev). */
  readonly opaque: readonly string[];
}

type Found = 'yes' | 'no' | 'unknown';

const MAX_LINKS = 40;

/** Maps a canonical job path to the host, following symlinks inside the job's root. */
function lookup(view: JobView, jobPath: string, depth = 0): Found {
  if (depth > MAX_LINKS) return 'unknown';
  const parts = jobPath.split('/').filter((p) => p !== '' && p !== '.');
  let current = '/';
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i] ?? '';
    const next = part === '..' ? posix.dirname(current) : posix.join(current, part);
    if (view.opaque.some((d) => next === d || next.startsWith(`${d}/`))) return 'unknown';
    if (view.empty.includes(next)) return 'no';
    if ([...view.binds.keys()].some((d) => d.startsWith(`${next}/`))) {
      current = next; // A directory the sandbox makes (/volumes).
      continue;
    }
    const host = hostPathOf(view, next);
    const stat = lstatSync(host, { throwIfNoEntry: false });
    if (stat === undefined) return 'no';
    if (stat.isSymbolicLink()) {
      let target: string;
      try {
        target = readlinkSync(host);
      } catch {
        return 'unknown';
      }
      const resolved = posix.isAbsolute(target) ? target : posix.join(current, target);
      return lookup(view, posix.join(resolved, ...parts.slice(i + 1)), depth + 1);
    }
    current = next;
  }
  const host = hostPathOf(view, current);
  const stat = lstatSync(host, { throwIfNoEntry: false });
  if (stat === undefined || !stat.isFile()) return 'no';
  try {
    accessSync(host, constants.X_OK);
    return 'yes';
  } catch {
    return 'no';
  }
}

function hostPathOf(view: JobView, jobPath: string): string {
  let best: string | undefined;
  for (const dir of view.binds.keys()) {
    if ((jobPath === dir || jobPath.startsWith(`${dir}/`)) && dir.length > (best?.length ?? 0)) {
      best = dir;
    }
  }
  if (best !== undefined) return join(view.binds.get(best) ?? '', jobPath.slice(best.length));
  return join(view.root, jobPath);
}

/** False only when the command certainly cannot be found by execvp in the job. */
export function commandExists(view: JobView, command: string, path: string, cwd: string): boolean {
  if (command === '') return false;
  if (command.includes('/')) {
    return lookup(view, posix.resolve(cwd, command)) !== 'no';
  }
  for (const dir of path.split(':')) {
    const base = dir === '' ? cwd : posix.resolve(cwd, dir);
    if (lookup(view, posix.join(base, command)) !== 'no') return true;
  }
  return false;
}
