/**
 * The entries of a host directory (/, and /etc when it is rebuilt), as a job's root shows them
 * (mount-plan.ts): symlinks with their target, root's empty directories with their mode, other
 * kinds skipped. Listed once per rnx process and listed again only when the directory changed: a
 * 300-job workflow listed the host's / 300 times (a readdir, a readlink per link, an lstat per
 * directory and a readdir per leaf: 0.19 ms of rnx's thread a job, measured with --cpu-prof),
 * where checking that nothing changed is one lstat, and one more per empty directory.
 *
 * "Nothing changed" is the directory's and each empty directory's device, inode, modification
 * and change times: an entry added, removed or renamed, a link replaced, something put in an
 * empty directory or mounted on it changes one of them. The kernel sets those times from a clock
 * that ticks every few milliseconds, so two changes within one tick look alike: a listing is kept
 * only when what it stamps last changed more than a second before it was taken (as git does with
 * its index), so that no change can hide behind the stamp it was read with.
 */
import { lstatSync, readdirSync, readlinkSync, type BigIntStats } from 'node:fs';
import { join } from 'node:path';
import type { HostEntry } from './mount-plan.js';

interface Listing {
  readonly entries: readonly HostEntry[];
  /** The directory and its empty directories, as stamped before they were read. */
  readonly stamped: readonly string[];
  readonly stamp: string;
}

const listings = new Map<string, Listing>();

/** How long ago a stamped change must be for the listing to be kept (see above). */
const SETTLED_NS = 1_000_000_000n;

function stat(path: string): BigIntStats | undefined {
  return lstatSync(path, { bigint: true, throwIfNoEntry: false });
}

function stampOf(st: BigIntStats): string {
  return `${String(st.dev)}:${String(st.ino)}:${String(st.mtimeNs)}:${String(st.ctimeNs)}`;
}

/** The stamp of `paths` now; undefined when one is gone. */
function stampNow(paths: readonly string[]): string | undefined {
  const parts: string[] = [];
  for (const path of paths) {
    const st = stat(path);
    if (st === undefined) return undefined;
    parts.push(stampOf(st));
  }
  return parts.join(' ');
}

export function hostEntries(dir: string): readonly HostEntry[] {
  const kept = listings.get(dir);
  if (kept !== undefined && stampNow(kept.stamped) === kept.stamp) return kept.entries;
  listings.delete(dir);
  const before = stat(dir);
  const stamps = before === undefined ? [] : [before];
  const stamped = [dir];
  const entries: HostEntry[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isSymbolicLink()) {
      entries.push({ name: entry.name, kind: 'symlink', link: readlinkSync(path) });
    } else if (entry.isDirectory()) {
      const st = stat(path);
      const listed = directoryEntry(entry.name, path, st);
      entries.push(listed);
      if (listed.kind === 'empty-directory' && st !== undefined) {
        stamps.push(st);
        stamped.push(path);
      }
    } else if (entry.isFile()) entries.push({ name: entry.name, kind: 'file' });
  }
  const now = BigInt(Date.now()) * 1_000_000n;
  const settled =
    stamps.length === stamped.length &&
    stamps.every((st) => now - st.mtimeNs > SETTLED_NS && now - st.ctimeNs > SETTLED_NS);
  if (settled) listings.set(dir, { entries, stamped, stamp: stamps.map(stampOf).join(' ') });
  return entries;
}

/**
 * A directory with subdirectories is known not empty from its link count: only the few with none
 * are read (about 40 us for the host's / here).
 */
function directoryEntry(name: string, path: string, st: BigIntStats | undefined): HostEntry {
  const rootsLeaf = st?.isDirectory() === true && st.nlink === 2n && st.uid === 0n && st.gid === 0n;
  return st !== undefined && rootsLeaf && isEmpty(path)
    ? { name, kind: 'empty-directory', mode: Number(st.mode & 0o7777n) }
    : { name, kind: 'directory' };
}

function isEmpty(dir: string): boolean {
  try {
    return readdirSync(dir).length === 0;
  } catch {
    return false;
  }
}
