/**
 * The embedded state database: one SQLite file under the state directory, through Node's built-in
 * node:sqlite (no native build). WAL mode so that readers never block the writer, a busy timeout so
 * that many concurrent `rnx` processes queue instead of failing, and versioned migrations.
 */
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { MIGRATIONS, type Migration } from './migrations.js';
import { StateFault, stateProblemOf } from './state-fault.js';

export const DEFAULT_STATE_DIR = '/var/lib/rnx';

/** The state directory: `RNX_STATE_DIR` when set, otherwise /var/lib/rnx. */
export function stateDir(env: NodeJS.ProcessEnv = process.env): string {
  const dir = env['RNX_STATE_DIR'];
  return dir !== undefined && dir !== '' ? dir : DEFAULT_STATE_DIR;
}

export type Database = DatabaseSync;

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
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    created = !existsSync(file);
    db = new DatabaseSync(file, { timeout: 30_000 });
    db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;');
    migrate(db, migrations);
    return db;
  } catch (error) {
    const problem = stateProblemOf(error, dir);
    if (problem === undefined) throw error;
    db?.close();
    if (created) for (const f of [file, `${file}-wal`, `${file}-shm`]) rmSync(f, { force: true });
    throw new StateFault(problem, error);
  }
}

function appliedVersions(db: Database): Set<number> {
  db.exec(
    'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL) STRICT',
  );
  const rows = db.prepare('SELECT version FROM schema_migrations').all() as { version: number }[];
  return new Set(rows.map((row) => row.version));
}

/** Applies every migration not yet recorded, in version order, each recorded in the same transaction. */
function migrate(db: Database, migrations: readonly Migration[]): void {
  const wanted = [...migrations].sort((a, b) => a.version - b.version);
  const before = appliedVersions(db);
  if (wanted.every((m) => before.has(m.version))) return;
  // BEGIN IMMEDIATE takes the write lock up front, so two processes never migrate at once.
  transaction(db, () => {
    const applied = appliedVersions(db);
    const record = db.prepare('INSERT INTO schema_migrations (version, name) VALUES (?, ?)');
    for (const migration of wanted) {
      if (applied.has(migration.version)) continue;
      db.exec(migration.sql);
      record.run(migration.version, migration.name);
    }
  });
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
