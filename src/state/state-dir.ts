/**
 * Making the state directory, one level at a time. Node's `mkdirSync(dir, {recursive: true})`
 * loops forever when mkdir says ENOENT under a directory that exists (/proc, /sys: filesystems that
 * refuse new directories), and a path through a regular file ends in a raw ENOTDIR; both become a
 * StateFault naming the directory and what is wrong with it.
 */
import { mkdirSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Problem } from '../problem.js';
import { StateFault } from './state-fault.js';

const HINT =
  'set RNX_STATE_DIR to a directory on a writable local filesystem (default /var/lib/rnx)';

function unusable(dir: string, why: string): Problem {
  return { code: 'state-dir-unusable', message: `the state directory ${dir} ${why}`, hint: HINT };
}

function isDirectory(path: string): boolean | undefined {
  try {
    return statSync(path).isDirectory();
  } catch {
    return undefined;
  }
}

/** The nearest ancestor of `path` (itself included) that exists and is not a directory. */
function blockingFile(path: string): string | undefined {
  for (let p = path; ; p = dirname(p)) {
    if (isDirectory(p) === false) return p;
    if (dirname(p) === p) return undefined;
  }
}

/** mkdir -p for one path; errors as they come, never a loop. */
function makeDirectories(dir: string, mode: number): void {
  try {
    mkdirSync(dir, { mode });
    return;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST' && isDirectory(dir) === true) return;
    const parent = dirname(dir);
    if (code !== 'ENOENT' || parent === dir) throw error;
  }
  makeDirectories(dirname(dir), mode);
  // The parent exists now: a second ENOENT is the filesystem refusing, thrown as it is.
  mkdirSync(dir, { mode });
}

/**
 * Makes the state directory `dir` (and its parents) unless it exists. A path through a regular
 * file, or a filesystem that refuses directories, throws a StateFault; other errors (EACCES, EROFS,
 * ENOSPC) are thrown as they are, for `stateProblemOf` to name.
 */
export function makeStateDir(dir: string): void {
  // It is there on every command but the first: one stat, not a mkdir failing with EEXIST (Node
  // makes an Error with its stack for that: 0.2 ms of every command).
  if (isDirectory(dir) === true) return;
  try {
    makeDirectories(dir, 0o700);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const file = code === 'ENOTDIR' || code === 'EEXIST' ? blockingFile(dir) : undefined;
    if (file !== undefined) {
      const why = file === dir ? 'is a file, not a directory' : `is under ${file}, which is a file`;
      throw new StateFault(unusable(dir, why), error);
    }
    if (code === 'EEXIST')
      throw new StateFault(unusable(dir, 'exists but is not a directory'), error);
    if (code === 'ENOENT' || code === 'EPERM') {
      // The directory mkdir failed in: the state directory's parent, or one further up.
      const failed = (error as NodeJS.ErrnoException).path ?? dir;
      throw new StateFault(
        unusable(
          dir,
          `cannot be made: the filesystem of ${dirname(failed)} refuses new directories (as /proc and /sys do)`,
        ),
        error,
      );
    }
    throw error;
  }
}
