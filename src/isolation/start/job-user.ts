/**
 * Who a job runs as (`user:` / `--user`): `NAME`, `UID`, `NAME:GROUP` or `UID:GID`, resolved in
 * the job's own root, the host's or its runtime's `/etc/passwd` and `/etc/group`, as Docker
 * resolves `--user` in the image:
 * - a name must exist; its uid and primary group come from /etc/passwd;
 * - a UID that /etc/passwd lists takes that user's group; one it does not list runs with group 0;
 * - `:GROUP` (a name that must exist in /etc/group, or a number) replaces the primary group;
 * - the supplementary groups are the primary group and every group of /etc/group that lists the
 *   user's name (what initgroups(3) gives), computed here and handed to setpriv as numbers, so
 *   nothing inside the job has to read the user database.
 * Pure, apart from `readUserDatabase` (reads the two files under a root) and its two callers.
 */
import { readFileSync } from 'node:fs';
import { closest } from '../../suggest.js';
import { fail, ok, type Result } from '../../problem.js';
import { hostPathInRoot } from '../filesystem/in-root.js';
import { getRuntime, runtimeNotFound, type Runtime } from '../filesystem/runtimes.js';
import type { Database } from '../../state/database.js';
import type { JobUser } from './final-exec.js';

export interface PasswdEntry {
  readonly name: string;
  readonly uid: number;
  readonly gid: number;
}

export interface GroupEntry {
  readonly name: string;
  readonly gid: number;
  readonly members: readonly string[];
}

/** A user as resolved here: its supplementary groups always as numbers. */
export interface ResolvedUser extends JobUser {
  readonly groups: readonly number[];
}

export interface UserDatabase {
  readonly passwd: readonly PasswdEntry[];
  readonly groups: readonly GroupEntry[];
  /** Where the files are, for messages: `the host` or `runtime 'tiny'`. */
  readonly where: string;
}

/** Written like the schema's `user`: a name or number, optionally `:` a group name or number. */
const SPEC = /^([a-z_][a-z0-9_.-]*[$]?|\d+)(?::([a-z_][a-z0-9_.-]*[$]?|\d+))?$/;
const MAX_ID = 0xfffffffe;

function id(text: string | undefined): number | undefined {
  if (text === undefined || !/^\d+$/.test(text)) return undefined;
  const n = Number(text);
  return n <= MAX_ID ? n : undefined;
}

function fields(text: string, count: number): string[][] {
  return text
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => line.split(':'))
    .filter((parts) => parts.length >= count);
}

export function parsePasswd(text: string): PasswdEntry[] {
  return fields(text, 4).flatMap(([name = '', , uid, gid]) => {
    const u = id(uid);
    const g = id(gid);
    return u === undefined || g === undefined ? [] : [{ name, uid: u, gid: g }];
  });
}

export function parseGroup(text: string): GroupEntry[] {
  return fields(text, 3).flatMap(([name = '', , gid, members = '']) => {
    const g = id(gid);
    return g === undefined ? [] : [{ name, gid: g, members: members.split(',').filter(Boolean) }];
  });
}

/** Checks the written form only (for `--user`): a Problem naming the flag, or undefined. */
export function checkUserSpec(spec: string): Result<void> {
  const numbersFit = spec.split(':').every((part) => !/^\d+$/.test(part) || id(part) !== undefined);
  if (SPEC.test(spec) && numbersFit) return ok(undefined);
  return fail(
    'user-invalid',
    `user '${spec}' is not NAME, UID, NAME:GROUP or UID:GID`,
    'e.g. postgres, 1000, 1000:1000 or www-data:www-data (numbers up to 4294967294)',
  );
}

/** A user or group name the root's database lacks, with the closest one it has. */
function unknown(kind: 'user' | 'group', name: string, db: UserDatabase): Result<never> {
  const file = kind === 'user' ? '/etc/passwd' : '/etc/group';
  const guess = closest(
    name,
    (kind === 'user' ? db.passwd : db.groups).map((entry) => entry.name),
  );
  return fail(
    kind === 'user' ? 'user-unknown' : 'group-unknown',
    `${kind} '${name}' does not exist in ${file} of ${db.where}${guess === undefined ? '' : `; did you mean '${guess}'?`}`,
    kind === 'user'
      ? `add the user to ${db.where === 'the host' ? "the host's" : "the runtime's"} /etc/passwd, or give a number (UID or UID:GID)`
      : 'name a group of /etc/group, or give a GID',
  );
}

export function resolveUser(spec: string, db: UserDatabase): Result<ResolvedUser> {
  const valid = checkUserSpec(spec);
  if (!valid.ok) return valid;
  const [userText = '', groupText] = spec.split(':');
  const uid = id(userText);
  const entry =
    uid === undefined
      ? db.passwd.find((p) => p.name === userText)
      : db.passwd.find((p) => p.uid === uid);
  if (entry === undefined && uid === undefined) {
    return unknown('user', userText, db);
  }
  let gid = entry?.gid ?? 0;
  if (groupText !== undefined) {
    const numeric = id(groupText);
    const group =
      numeric === undefined ? db.groups.find((g) => g.name === groupText)?.gid : numeric;
    if (group === undefined) {
      return unknown('group', groupText, db);
    }
    gid = group;
  }
  const groups = [gid];
  if (entry !== undefined) {
    for (const group of db.groups) {
      if (group.members.includes(entry.name) && !groups.includes(group.gid)) groups.push(group.gid);
    }
  }
  return ok({ uid: entry?.uid ?? uid ?? 0, gid, groups });
}

function readIn(root: string, path: string): string {
  const host = hostPathInRoot(root, path);
  if (host === undefined) return '';
  try {
    return readFileSync(host, 'utf8');
  } catch {
    return ''; // No such file: no users, as for a root without /etc/passwd.
  }
}

/** The user database of a job's root (`/`, or a runtime's tree); missing files are empty. */
export function readUserDatabase(root: string, where: string): UserDatabase {
  return {
    passwd: parsePasswd(readIn(root, '/etc/passwd')),
    groups: parseGroup(readIn(root, '/etc/group')),
    where,
  };
}

/** The user database of the root a job with `runtime` gets (the host's without one). */
export function userDatabaseFor(runtime: Runtime | undefined): UserDatabase {
  return runtime === undefined
    ? readUserDatabase('/', 'the host')
    : readUserDatabase(runtime.root, `runtime '${runtime.name}'`);
}

/** The user a JobSpec asks for, resolved in its root; undefined when it sets none (root). */
export function jobUserOf(
  db: Database,
  spec: { readonly user?: string; readonly runtime?: string },
): Result<ResolvedUser | undefined> {
  if (spec.user === undefined) return ok(undefined);
  let runtime: Runtime | undefined;
  if (spec.runtime !== undefined) {
    runtime = getRuntime(db, spec.runtime);
    if (runtime === undefined) return runtimeNotFound(db, spec.runtime);
  }
  return resolveUser(spec.user, userDatabaseFor(runtime));
}
