/**
 * Who owns what a job may write, when it runs as another user: its workspace (/work, uploads
 * included) and the writable directories bound into it are handed to that user before the start,
 * an empty volume still owned by root becomes the user's (as Docker does for a new named volume),
 * and `rnx volume create --owner` sets a volume's owner explicitly. Symlinks are never followed.
 */
import { lchownSync, lstatSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fail, ok, type Result } from '../../problem.js';

export interface Owner {
  readonly uid: number;
  readonly gid: number;
}

function failed(path: string, error: unknown): Result<never> {
  return fail(
    'chown-failed',
    `could not hand ${path} to the job's user: ${(error as Error).message}`,
  );
}

/** `path` and everything under it, to `owner`. */
export function chownTree(path: string, owner: Owner): Result<void> {
  try {
    lchownSync(path, owner.uid, owner.gid);
    if (lstatSync(path).isDirectory()) {
      for (const entry of readdirSync(path, { recursive: true, encoding: 'utf8' })) {
        lchownSync(join(path, entry), owner.uid, owner.gid);
      }
    }
    return ok(undefined);
  } catch (error) {
    return failed(path, error);
  }
}

/** An empty directory owned by root:root becomes `owner`'s; anything else is left as it is. */
export function claimIfEmpty(path: string, owner: Owner): Result<void> {
  try {
    const stat = lstatSync(path);
    if (stat.uid !== 0 || stat.gid !== 0 || readdirSync(path).length > 0) return ok(undefined);
    lchownSync(path, owner.uid, owner.gid);
    return ok(undefined);
  } catch (error) {
    return failed(path, error);
  }
}
