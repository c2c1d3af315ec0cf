/**
 * Faults of the state directory (full, read-only, a damaged database) as Problems: one line naming
 * the file and one saying what to do. node:sqlite and the file system report them as errors
 * thrown from any query or write, deep inside a command; `stateProblemOf` recognises them there,
 * and `StateFault` carries the Problem from the state layer to the CLI, the one place that prints
 * it and exits (3). rnx never rewrites or removes a database it did not just create.
 */
import { accessSync, constants, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Problem } from '../problem.js';

/** A state directory rnx cannot use, as a Problem; thrown by the state layer, caught by the CLI. */
export class StateFault extends Error {
  readonly problem: Problem;
  constructor(problem: Problem, cause?: unknown) {
    super(problem.message, { cause });
    this.name = 'StateFault';
    this.problem = problem;
  }
}

/** SQLite's primary result codes that are faults of the surroundings. */
const SQLITE_BUSY = 5;
const SQLITE_LOCKED = 6;
const SQLITE_READONLY = 8;
const SQLITE_CORRUPT = 11;
const SQLITE_FULL = 13;
const SQLITE_CANTOPEN = 14;
const SQLITE_NOTADB = 26;

interface ErrorFields {
  readonly code?: unknown;
  readonly errcode?: unknown;
  readonly errstr?: unknown;
}

function writable(path: string): boolean {
  try {
    accessSync(path, constants.W_OK);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ENOENT';
  }
}

/**
 * For a user other than root: the owner of the state directory (or of its nearest existing
 * parent, when it does not exist yet), when that is someone else; undefined otherwise.
 */
function othersDirectory(dir: string): number | undefined {
  const uid = process.getuid?.();
  if (uid === undefined || uid === 0) return undefined;
  for (let p = dir; ; p = dirname(p)) {
    try {
      const owner = statSync(p).uid;
      return owner === uid ? undefined : owner;
    } catch {
      if (dirname(p) === p) return undefined;
    }
  }
}

/** The state directory is full: what `stateProblemOf` says for SQLITE_FULL and ENOSPC alike. */
export function stateFull(dir: string): Problem {
  return {
    code: 'state-full',
    message: `the state directory ${dir} is full`,
    hint: 'free space there (job logs are under logs/), or point RNX_STATE_DIR at a larger directory; the next rnx command finishes recording what this one could not',
  };
}

/** The Problem for `error` when it is a fault of the state directory `dir`, else undefined. */
export function stateProblemOf(error: unknown, dir: string): Problem | undefined {
  if (error instanceof StateFault) return error.problem;
  if (typeof error !== 'object' || error === null) return undefined;
  const { code, errcode, errstr } = error as ErrorFields;
  const file = join(dir, 'rnx.db');
  const primary = typeof errcode === 'number' ? errcode & 0xff : undefined;
  if (code === 'ENOSPC' || code === 'EDQUOT' || primary === SQLITE_FULL) return stateFull(dir);
  const readOnly =
    code === 'EROFS' ||
    code === 'EACCES' ||
    code === 'EPERM' ||
    primary === SQLITE_READONLY ||
    primary === SQLITE_CANTOPEN;
  if (readOnly) {
    const owner = othersDirectory(dir);
    if (owner !== undefined) {
      return {
        code: 'not-root',
        message: `the state directory ${dir} is not this user's (it belongs to uid ${String(owner)}; rnx runs as uid ${String(process.getuid?.())})`,
        hint: "run rnx as root (sudo rnx ...): jobs, networks and their records are root's; or set RNX_STATE_DIR to a directory of your own for validate and the read-only commands",
      };
    }
    const where = !writable(dir)
      ? `the state directory ${dir} is read-only`
      : !writable(file)
        ? `the state database ${file} is read-only`
        : `cannot open the state database ${file} (${typeof errstr === 'string' ? errstr : String(code)})`;
    return {
      code: 'state-read-only',
      message: where,
      hint: 'rnx records jobs, networks and leases there: make it writable for root, or set RNX_STATE_DIR to a writable directory',
    };
  }
  if (primary === SQLITE_BUSY || primary === SQLITE_LOCKED) {
    return {
      code: 'state-busy',
      message: `the state database ${file} stayed locked by another process (another rnx, or a sqlite3 shell) for longer than the busy timeout`,
      hint: `wait for it and try again (fuser ${file} shows who holds it), or set RNX_BUSY_TIMEOUT to wait longer (default 30s)`,
    };
  }
  if (primary === SQLITE_NOTADB || primary === SQLITE_CORRUPT) {
    return {
      code: 'state-corrupt',
      message: `the state database ${file} is damaged (${String(errstr)})`,
      hint: `rnx leaves it as it is: move it and its -wal and -shm files aside (or try sqlite3's .recover on a copy); rnx then starts an empty one, forgetting the jobs, networks, volumes and runtimes recorded in it`,
    };
  }
  return undefined;
}
