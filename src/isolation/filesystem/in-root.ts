/**
 * A path as a job sees it, mapped to the host: its root (the host's / or a runtime's tree), the
 * directories bound elsewhere (/work, /volumes/NAME), those that start empty (/tmp, /run) and
 * those this cannot look into (/proc, /sys, /dev). Symlinks are followed inside the job's view (an
 * absolute link in a runtime's tree points into that tree, never to the host's files), `..` never
 * climbs above its root. Used to decide whether a job's command exists (start/resolve-command.ts)
 * and to read a runtime's own /etc/passwd and /etc/group (start/job-user.ts).
 */
import { lstatSync, readlinkSync } from 'node:fs';
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

const MAX_LINKS = 40;

/**
 * The host path that `jobPath` (canonical) names in the job, every symlink on the way followed
 * inside the view; 'no' when part of it certainly does not exist, 'unknown' when this cannot tell
 * (an opaque directory, a link that loops or cannot be read).
 */
export function hostPathInView(
  view: JobView,
  jobPath: string,
  depth = 0,
): { readonly host: string } | 'no' | 'unknown' {
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
      return hostPathInView(view, posix.join(resolved, ...parts.slice(i + 1)), depth + 1);
    }
    current = next;
  }
  return { host: hostPathOf(view, current) };
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

/** The host path of `jobPath` under `root` alone, or undefined when it is missing or a link loops. */
export function hostPathInRoot(root: string, jobPath: string): string | undefined {
  const found = hostPathInView({ root, binds: new Map(), empty: [], opaque: [] }, jobPath);
  return typeof found === 'string' ? undefined : found.host;
}
