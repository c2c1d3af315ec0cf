/**
 * A path as a job with root `root` sees it, mapped to the host: symlinks are followed inside the
 * root (an absolute link in a runtime's tree points into that tree, never to the host's files),
 * `..` never climbs above it. Used to read a runtime's own /etc/passwd and /etc/group.
 */
import { lstatSync, readlinkSync } from 'node:fs';
import { join, posix } from 'node:path';

const MAX_LINKS = 40;

/** The host path of `jobPath` under `root`, or undefined when a link loops or cannot be read. */
export function hostPathInRoot(root: string, jobPath: string): string | undefined {
  let links = 0;
  let pending = jobPath.split('/').filter((p) => p !== '' && p !== '.');
  let current = '/';
  while (pending.length > 0) {
    const [part, ...rest] = pending as [string, ...string[]];
    pending = rest;
    const next = part === '..' ? posix.dirname(current) : posix.join(current, part);
    const host = join(root, next);
    const stat = lstatSync(host, { throwIfNoEntry: false });
    if (stat?.isSymbolicLink() === true) {
      if (++links > MAX_LINKS) return undefined;
      let target: string;
      try {
        target = readlinkSync(host);
      } catch {
        return undefined;
      }
      const resolved = posix.isAbsolute(target) ? target : posix.join(current, target);
      pending = [...resolved.split('/').filter((p) => p !== '' && p !== '.'), ...pending];
      current = '/';
      continue;
    }
    current = next;
  }
  return join(root, current);
}
