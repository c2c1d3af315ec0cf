/**
 * Runtimes: registered root filesystems (a directory holding a Linux userland: /bin/sh, /etc, ...).
 * A job with a runtime gets that tree as its root, entered with pivot_root, under a per-job writable
 * layer so the registered tree never changes. rnx does not own the directory: removing a runtime only
 * forgets it.
 */
import { lstatSync, realpathSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { transaction, type Database } from '../../state/database.js';
import { fail, ok, type Result } from '../../problem.js';
import { checkName } from '../../names.js';
import { closest } from '../../suggest.js';

/** Characters allowed in a runtime's path: it ends up in overlayfs mount options. */
const SAFE_PATH = /^\/[A-Za-z0-9_./+@-]*$/;

const BIN_DIRS = ['bin', 'usr/bin', 'sbin', 'usr/sbin'];

export interface Runtime {
  readonly name: string;
  /** Absolute, symlink-free path of the root filesystem. */
  readonly root: string;
  readonly createdAt: string;
}

interface RuntimeRow {
  name: string;
  root: string;
  created_at: string;
}

function hasProgram(root: string, program: string): boolean {
  return BIN_DIRS.some((dir) => {
    try {
      lstatSync(join(root, dir, program)); // a symlink (e.g. to busybox) counts
      return true;
    } catch {
      return false;
    }
  });
}

/**
 * Checks that `dir` looks like a root filesystem rnx can enter: a directory other than /, with a
 * shell (rnx itself runs nothing from it: bubblewrap enters it, the host's setpriv is brought in).
 */
export function checkRootfs(dir: string, cwd: string): Result<string> {
  let root: string;
  try {
    root = realpathSync(resolve(cwd, dir));
    if (!statSync(root).isDirectory())
      return fail('runtime-not-rootfs', `'${dir}' is not a directory`);
  } catch {
    return fail('runtime-dir-missing', `directory '${dir}' does not exist`);
  }
  if (root === '/') return fail('runtime-not-rootfs', "the host's own root cannot be a runtime");
  if (!SAFE_PATH.test(root)) {
    return fail(
      'runtime-bad-path',
      `runtime path '${root}' has characters rnx cannot pass to mount`,
      'use a path of letters, digits and . _ - + @ only (no spaces, commas or colons)',
    );
  }
  if (!hasProgram(root, 'sh')) {
    return fail(
      'runtime-not-rootfs',
      `'${dir}' does not look like a root filesystem: no sh in /bin, /usr/bin, /sbin or /usr/sbin`,
      'point at the directory that holds bin/, etc/, usr/ (e.g. one made by debootstrap)',
    );
  }
  return ok(root);
}

function toRuntime(row: RuntimeRow): Runtime {
  return { name: row.name, root: row.root, createdAt: row.created_at };
}

export function listRuntimes(db: Database): Runtime[] {
  const rows = db.prepare('SELECT * FROM runtimes ORDER BY name').all() as unknown as RuntimeRow[];
  return rows.map(toRuntime);
}

export function getRuntime(db: Database, name: string): Runtime | undefined {
  const row = db.prepare('SELECT * FROM runtimes WHERE name = ?').get(name) as
    RuntimeRow | undefined;
  return row === undefined ? undefined : toRuntime(row);
}

export function runtimeNotFound(db: Database, name: string): Result<never> {
  const guess = closest(
    name,
    listRuntimes(db).map((r) => r.name),
  );
  return fail(
    'runtime-not-found',
    `runtime '${name}' is not registered`,
    guess === undefined
      ? `register it with: rnx runtime add ${name} DIR`
      : `did you mean '${guess}'?`,
  );
}

export function addRuntime(db: Database, name: string, dir: string, cwd: string): Result<Runtime> {
  const checkedName = checkName('runtime', name);
  if (!checkedName.ok) return checkedName;
  const root = checkRootfs(dir, cwd);
  if (!root.ok) return root;
  return transaction(db, (): Result<Runtime> => {
    const existing = getRuntime(db, name);
    if (existing !== undefined) {
      return fail(
        'runtime-exists',
        `runtime '${name}' already exists (${existing.root})`,
        `remove it first with: rnx runtime remove ${name}`,
      );
    }
    const row = { name, root: root.value, created_at: new Date().toISOString() };
    db.prepare('INSERT INTO runtimes (name, root, created_at) VALUES (?, ?, ?)').run(
      row.name,
      row.root,
      row.created_at,
    );
    return ok(toRuntime(row));
  });
}

export function removeRuntime(db: Database, name: string): Result<void> {
  const result = db.prepare('DELETE FROM runtimes WHERE name = ?').run(name);
  return result.changes === 0 ? runtimeNotFound(db, name) : ok(undefined);
}
