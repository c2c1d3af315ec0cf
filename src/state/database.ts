/**
 * The embedded state database: one SQLite file under the state directory, through Node's built-in
 * node:sqlite (no native build). WAL mode so that readers never block the writer, a busy timeout so
 * that many concurrent `rnx` processes queue instead of failing, and versioned migrations.
 */
import { closeSync, existsSync, fdatasyncSync, fstatSync, openSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fnv1a32 } from '../fnv1a.js';
import type { DatabaseSync } from 'node:sqlite';
import { MIGRATIONS, type Migration } from './migrations.js';
import { parseDuration } from '../units.js';
import { StateFault, stateProblemOf } from './state-fault.js';
import { makeStateDir } from './state-dir.js';

export const DEFAULT_STATE_DIR = '/var/lib/rnx';

/** The state directory: `RNX_STATE_DIR` when set, otherwise /var/lib/rnx. */
export function stateDir(env: NodeJS.ProcessEnv = process.env): string {
  const dir = env['RNX_STATE_DIR'];
  return dir !== undefined && dir !== '' ? dir : DEFAULT_STATE_DIR;
}

export type Database = DatabaseSync;

/** How long a command waits for another process's lock on the database, by default. */
export const DEFAULT_BUSY_TIMEOUT_MS = 30_000;

/**
 * How long a command waits for another process (another rnx) that holds the database's write lock
 * before it gives up with `state-busy`: `RNX_BUSY_TIMEOUT` (a duration: `30s`, `500ms`, `2m`),
 * otherwise 30 s. An invalid value throws a StateFault (exit 2).
 */
export function busyTimeoutMs(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env['RNX_BUSY_TIMEOUT'];
  if (raw === undefined || raw === '') return DEFAULT_BUSY_TIMEOUT_MS;
  const ms = parseDuration(raw, 'RNX_BUSY_TIMEOUT');
  if (!ms.ok) throw new StateFault(ms.problem);
  // SQLite takes a 32-bit number of milliseconds.
  return Math.min(ms.value, 2 ** 31 - 1);
}

/**
 * Opens (creating if needed) the database in `dir` and brings its schema up to date. A state
 * directory rnx cannot use (full, read-only, a damaged file) throws a StateFault; a database this
 * call created and could not finish is removed again, so that no empty file breaks later commands.
 */
export function openDatabase(dir: string, migrations: readonly Migration[] = MIGRATIONS): Database {
  const file = join(dir, 'rnx.db');
  let created = false;
  let db: Database | undefined;
  try {
    makeStateDir(dir);
    created = !existsSync(file);
    // Fetched here: a command that never opens the database (`workflow validate` of a file that
    // names only built-in networks) does not load node:sqlite.
    const { DatabaseSync: Sqlite } = process.getBuiltinModule('node:sqlite');
    db = new Sqlite(file, { timeout: busyTimeoutMs() });
    db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;');
    migrate(db, migrations);
    return db;
  } catch (error) {
    const problem = stateProblemOf(error, dir);
    if (problem === undefined) throw error;
    db?.close();
    if (created) for (const f of [file, `${file}-wal`, `${file}-shm`]) rmSync(f, { force: true });
    throw error instanceof StateFault ? error : new StateFault(problem, error);
  }
}

const shared = new Map<string, Database>();

/**
 * The one connection this process keeps to the database in `dir` (opened, and its schema checked,
 * on first use): the commands that run jobs or workflows use it from the check for killed runs
 * (the catalog the workflow is validated against, a rerun's records) to the last job's record,
 * instead of opening the file and checking its schema again at each step. Never closed by its
 * users: what it wrote is synced when the process has nothing left to do (syncSharedDatabases).
 */
export function sharedDatabase(dir: string): Database {
  let db = shared.get(dir);
  if (db === undefined || !db.isOpen) {
    db = openDatabase(dir);
    if (shared.size === 0) process.once('beforeExit', syncSharedDatabases);
    shared.set(dir, db);
  }
  return db;
}

/**
 * A log past this size is folded into rnx.db at exit: every command's first read of the database
 * goes through all of the log (SQLite rebuilds its index when no other process has it open: about
 * 0.3 ms per MiB here), so it is kept short.
 */
export const LOG_FOLD_BYTES = 1024 * 1024;

/**
 * Makes what the shared connections wrote durable once the command has nothing left to do
 * ('beforeExit', registered by sharedDatabase before the CLI's own, src/cli/main.ts, which then
 * exits without Node's teardown): one fdatasync of SQLite's write-ahead log, where every commit of
 * this process is (with synchronous = NORMAL a commit is written to the log, not synced).
 *
 * The connection is left open, so that the log stays: closing the last connection folds the log
 * into rnx.db (a checkpoint: a sync of the log and one of the database) and deletes it, and the
 * next command makes it again (a sync of its header and one of the directory): four syncs where
 * one is needed. A process that ends without closing is what SQLite's format is made for (the log
 * and its index, rnx.db-wal and rnx.db-shm, are read by the next opener). Once the log has grown
 * past LOG_FOLD_BYTES (about 18 job runs) the connection is closed after the sync, which folds it
 * (SQLite does it only when no other connection is open, and never waits for one). A log that is
 * not there (a database opened read-only) is closed as usual.
 */
function syncSharedDatabases(): void {
  for (const [dir, db] of shared) {
    if (!db.isOpen) continue;
    let log: number | undefined;
    try {
      log = openSync(join(dir, 'rnx.db-wal'), 'r');
      fdatasyncSync(log);
      if (fstatSync(log).size > LOG_FOLD_BYTES) db.close();
    } catch {
      closeQuietly(db);
    } finally {
      if (log !== undefined) closeSync(log);
    }
  }
  shared.clear();
}

/** Closes `db` at exit; what it wrote is in the log either way. */
function closeQuietly(db: Database): void {
  try {
    if (db.isOpen) db.close();
  } catch {
    // Nothing more to do: the next opener reads the log.
  }
}

function appliedVersions(db: Database): Set<number> {
  db.exec(
    'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL) STRICT',
  );
  const rows = db.prepare('SELECT version FROM schema_migrations').all() as { version: number }[];
  return new Set(rows.map((row) => row.version));
}

/**
 * The set of migration versions as one number, kept in the database file's header (SQLite's
 * `user_version`, which SQLite itself never sets): the count of migrations in the top 7 bits, a
 * 24-bit FNV-1a hash of the versions below. Migrations are only ever added, so a later rnx's set
 * has more of them and a different stamp; two sets of the same size differ in their hash.
 */
export function migrationStamp(migrations: readonly Migration[]): number {
  const versions = migrations.map((m) => m.version).sort((a, b) => a - b);
  return (versions.length & 0x7f) * 2 ** 24 + (fnv1a32(versions.join(',')) & 0xffffff);
}

/**
 * Applies every migration not yet recorded, in version order, each recorded in the same
 * transaction. A database whose header carries this set's stamp (migrationStamp) has them all and
 * is not looked at further: one read of the header, where reading the migrations table cost every
 * command's start about 0.3 ms. The stamp is written only over a database whose migrations are
 * exactly this set.
 */
function migrate(db: Database, migrations: readonly Migration[]): void {
  const wanted = [...migrations].sort((a, b) => a.version - b.version);
  const stamp = migrationStamp(wanted);
  if (userVersion(db) === stamp) return;
  const known = new Set(wanted.map((m) => m.version));
  const exactly = (applied: Set<number>): boolean =>
    [...applied].every((version) => known.has(version));
  const before = appliedVersions(db);
  if (wanted.every((m) => before.has(m.version))) {
    // Made by an rnx before stamps (stamped now, once), or by a later one (its stamp stays).
    if (exactly(before)) {
      try {
        db.exec(`PRAGMA user_version = ${String(stamp)}`);
      } catch {
        // A state directory that cannot be written now (full, read-only) can still be read: the
        // table is read again next time.
      }
    }
    return;
  }
  // BEGIN IMMEDIATE takes the write lock up front, so two processes never migrate at once.
  transaction(db, () => {
    const applied = appliedVersions(db);
    const record = db.prepare('INSERT INTO schema_migrations (version, name) VALUES (?, ?)');
    for (const migration of wanted) {
      if (applied.has(migration.version)) continue;
      db.exec(migration.sql);
      record.run(migration.version, migration.name);
    }
    if (exactly(applied)) db.exec(`PRAGMA user_version = ${String(stamp)}`);
  });
}

function userVersion(db: Database): number {
  const row = db.prepare('PRAGMA user_version').get() as { user_version?: unknown } | undefined;
  return typeof row?.user_version === 'number' ? row.user_version : 0;
}

/**
 * Runs `work` in one write transaction (BEGIN IMMEDIATE), so that check-then-insert sequences
 * such as "is this CIDR free? then create the network" cannot race with another rnx process.
 */
export function transaction<T>(db: Database, work: () => T): T {
  db.exec('BEGIN IMMEDIATE');
  try {
    const result = work();
    db.exec('COMMIT');
    return result;
  } catch (error) {
    // SQLite has already rolled back after some errors (SQLITE_FULL among them): a ROLLBACK then
    // fails with "no transaction is active" and would hide the error that matters.
    if (db.isTransaction) db.exec('ROLLBACK');
    throw error;
  }
}
