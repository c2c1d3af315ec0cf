/**
 * A directory of spare entries (FIFOs, empty directories) that rnx takes by rename(2) and puts
 * back the same way, instead of making and deleting them for every job: on an ext4 disk without a
 * journal, the inode allocator scans past every inode deleted in the last half minute, so a
 * workflow that makes and deletes a dozen inodes per job paid more for that than for anything else
 * it did. A rename is atomic: two rnx processes never take the same entry. The names this process
 * put into the pool or found there are kept in memory, so a take is one rename, not a listing.
 */
import { lstatSync, mkdirSync, readdirSync, renameSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { rm } from '../async-fs.js';
import { randomHex } from '../hashes.js';

export interface SparePool {
  /** Moves a spare entry to `target` (which must not exist); false when there is none. */
  take(target: string): boolean;
  /** Moves `path` into the pool; false when it could not be moved (it stays where it is). */
  put(path: string): boolean;
  /** Names just made in the pool directory by the caller. */
  adopt(names: readonly string[]): void;
}

const pools = new Map<string, SparePool>();

/** Drawn once per process (see freshName). */
let nonce: string | undefined;
let named = 0;

/**
 * A name no other process or call uses: this process's pid, a random word drawn once (a later
 * process with the same pid draws another), and a count. An ended job's FIFOs and directories get
 * one each; a random word each cost an open and a read of /dev/urandom (0.05 to 0.1 ms apiece,
 * five at every job's end).
 */
export function freshName(): string {
  nonce ??= randomHex(6);
  return `${String(process.pid)}-${nonce}-${String(named++)}`;
}

/** The pool kept in `dir` (made when first needed); one object per directory in a process. */
export function sparePool(dir: string): SparePool {
  const existing = pools.get(dir);
  if (existing !== undefined) return existing;
  const names: string[] = [];
  let made = false;
  const pool: SparePool = {
    take(target) {
      for (let listed = false; ; listed = true) {
        for (let name = names.pop(); name !== undefined; name = names.pop()) {
          try {
            renameSync(join(dir, name), target);
            return true;
          } catch {
            // Taken by another rnx meanwhile: try the next one.
          }
        }
        if (listed) return false;
        // What other rnx processes put there.
        try {
          names.push(...readdirSync(dir));
        } catch {
          return false;
        }
      }
    },
    put(path) {
      const name = freshName();
      try {
        if (!made) mkdirSync(dir, { recursive: true, mode: 0o700 });
        made = true;
        renameSync(path, join(dir, name));
      } catch {
        return false;
      }
      names.push(name);
      return true;
    },
    adopt(more) {
      names.push(...more);
    },
  };
  pools.set(dir, pool);
  return pool;
}

/**
 * Whether `path` is as rnx made it, fit to be a spare: this process's user's, exactly this mode,
 * of this kind (a file or FIFO with one link only).
 */
export function asMade(path: string, kind: 'dir' | 'file' | 'fifo', mode: number): boolean {
  const st = lstatSync(path, { throwIfNoEntry: false });
  if (st === undefined || st.uid !== process.getuid?.() || (st.mode & 0o7777) !== mode) {
    return false;
  }
  if (kind === 'dir') return st.isDirectory();
  return (kind === 'file' ? st.isFile() : st.isFIFO()) && st.nlink === 1;
}

/** The parent directories `takeSpare` made or found in this process. */
const parents = new Set<string>();

/**
 * Takes a spare of the pool in `poolDir` as `target` (a job's or attempt's own directory), making
 * target's parent first (with `parentMode`, once per process); false when the pool has none.
 */
export function takeSpare(poolDir: string, target: string, parentMode?: number): boolean {
  const parent = dirname(target);
  if (!parents.has(parent)) {
    mkdirSync(parent, {
      recursive: true,
      ...(parentMode === undefined ? {} : { mode: parentMode }),
    });
    parents.add(parent);
  }
  return sparePool(poolDir).take(target);
}

/**
 * An ended job's directory: put among the spares of `poolDir` when `fit` (as made, fit to serve
 * again), otherwise (or when it cannot be moved) removed, off rnx's thread.
 */
export async function spareOrRemove(poolDir: string, path: string, fit: boolean): Promise<void> {
  if (fit && sparePool(poolDir).put(path)) return;
  await rm(path, { recursive: true, force: true });
}
