/**
 * Volumes: named persistent directories under the state directory (`<state>/volumes/NAME`), mounted
 * read-write at /volumes/NAME in the jobs that ask for them. A running job records its use (owned by
 * the rnx process running it), so a volume cannot be removed under a job; uses left by a killed rnx
 * are recognised as stale and ignored.
 */
import { chownSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { transaction, type Database } from '../../state/database.js';
import { sql } from '../../state/statements.js';
import { fail, ok, type Result } from '../../problem.js';
import { checkName } from '../../names.js';
import { closest } from '../../suggest.js';
import { isAlive, type ProcessIdentity } from '../records/proc-identity.js';
import type { Owner } from './ownership.js';

export interface Volume {
  readonly name: string;
  /** The directory on the host. */
  readonly path: string;
  readonly createdAt: string;
  /** Ids of the running jobs that use it. */
  readonly usedBy: readonly string[];
  /** Who owns its directory (`rnx volume create --owner`, or the first user job it was empty for). */
  readonly owner: Owner;
}

interface VolumeRow {
  name: string;
  created_at: string;
}

interface UseRow {
  volume: string;
  job_id: string;
  owner_pid: number;
  owner_start_time: number;
}

export function volumePath(stateDir: string, name: string): string {
  return join(stateDir, 'volumes', name);
}

function liveUses(db: Database): UseRow[] {
  const rows = db.prepare('SELECT * FROM volume_uses').all() as unknown as UseRow[];
  return rows.filter((r) => isAlive({ pid: r.owner_pid, startTime: r.owner_start_time }));
}

function ownerOf(path: string): Owner {
  const stat = statSync(path, { throwIfNoEntry: false });
  return { uid: stat?.uid ?? 0, gid: stat?.gid ?? 0 };
}

function toVolume(stateDir: string, row: VolumeRow, uses: readonly UseRow[]): Volume {
  return {
    name: row.name,
    path: volumePath(stateDir, row.name),
    createdAt: row.created_at,
    usedBy: uses.filter((u) => u.volume === row.name).map((u) => u.job_id),
    owner: ownerOf(volumePath(stateDir, row.name)),
  };
}

export function listVolumes(db: Database, stateDir: string): Volume[] {
  const rows = db.prepare('SELECT * FROM volumes ORDER BY name').all() as unknown as VolumeRow[];
  const uses = liveUses(db);
  return rows.map((row) => toVolume(stateDir, row, uses));
}

export function getVolume(db: Database, stateDir: string, name: string): Volume | undefined {
  const row = db.prepare('SELECT * FROM volumes WHERE name = ?').get(name) as VolumeRow | undefined;
  return row === undefined ? undefined : toVolume(stateDir, row, liveUses(db));
}

/** The problem of a volume that does not exist, with the closest name as a hint. */
export function volumeNotFound(db: Database, name: string): Result<never> {
  const names = (db.prepare('SELECT name FROM volumes').all() as unknown as VolumeRow[]).map(
    (r) => r.name,
  );
  const guess = closest(name, names);
  return fail(
    'volume-not-found',
    `volume '${name}' does not exist`,
    guess === undefined ? `create it with: rnx volume create ${name}` : `did you mean '${guess}'?`,
  );
}

/** `owner`: who gets the new directory (default root). */
export function createVolume(
  db: Database,
  stateDir: string,
  name: string,
  owner?: Owner,
): Result<Volume> {
  const checked = checkName('volume', name);
  if (!checked.ok) return checked;
  const created = transaction(db, (): Result<VolumeRow> => {
    if (db.prepare('SELECT 1 FROM volumes WHERE name = ?').get(name) !== undefined) {
      return fail('volume-exists', `volume '${name}' already exists`);
    }
    const path = volumePath(stateDir, name);
    mkdirSync(path, { recursive: true, mode: 0o755 });
    if (owner !== undefined) {
      try {
        chownSync(path, owner.uid, owner.gid);
      } catch (error) {
        rmSync(path, { recursive: true, force: true });
        return fail(
          'chown-failed',
          `could not give ${path} its owner: ${(error as Error).message}`,
        );
      }
    }
    const row = { name, created_at: new Date().toISOString() };
    db.prepare('INSERT INTO volumes (name, created_at) VALUES (?, ?)').run(name, row.created_at);
    return ok(row);
  });
  return created.ok ? ok(toVolume(stateDir, created.value, [])) : created;
}

/** Removes a volume and its data; refused while a running job uses it. */
export function removeVolume(db: Database, stateDir: string, name: string): Result<void> {
  const removed = transaction(db, (): Result<void> => {
    if (db.prepare('SELECT 1 FROM volumes WHERE name = ?').get(name) === undefined) {
      return volumeNotFound(db, name);
    }
    const users = liveUses(db).filter((u) => u.volume === name);
    if (users.length > 0) {
      return fail(
        'volume-in-use',
        `volume '${name}' is used by running job ${users.map((u) => u.job_id).join(', ')}`,
        'wait for the job to end or stop it with: rnx job stop ID',
      );
    }
    db.prepare('DELETE FROM volume_uses WHERE volume = ?').run(name);
    db.prepare('DELETE FROM volumes WHERE name = ?').run(name);
    return ok(undefined);
  });
  if (removed.ok) rmSync(volumePath(stateDir, name), { recursive: true, force: true });
  return removed;
}

/** Records that job `jobId` uses these volumes; returns their host directories, in order. */
export function acquireVolumes(
  db: Database,
  stateDir: string,
  jobId: string,
  names: readonly string[],
  owner: ProcessIdentity,
): Result<string[]> {
  if (names.length === 0) return ok([]);
  return transaction(db, (): Result<string[]> => {
    const insert = db.prepare(
      'INSERT OR REPLACE INTO volume_uses (volume, job_id, owner_pid, owner_start_time) VALUES (?, ?, ?, ?)',
    );
    const exists = db.prepare('SELECT 1 FROM volumes WHERE name = ?');
    const missing = names.find((name) => exists.get(name) === undefined);
    if (missing !== undefined) return volumeNotFound(db, missing);
    for (const name of names) insert.run(name, jobId, owner.pid, owner.startTime);
    return ok(names.map((name) => volumePath(stateDir, name)));
  });
}

/** Hands a job's volume uses over to another owner process (a detached job's supervisor). */
export function transferVolumeUses(db: Database, jobId: string, owner: ProcessIdentity): void {
  db.prepare('UPDATE volume_uses SET owner_pid = ?, owner_start_time = ? WHERE job_id = ?').run(
    owner.pid,
    owner.startTime,
    jobId,
  );
}

export function releaseVolumes(db: Database, jobId: string): void {
  sql(db, 'DELETE FROM volume_uses WHERE job_id = ?').run(jobId);
}
