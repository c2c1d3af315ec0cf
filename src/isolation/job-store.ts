/**
 * Job records in the state database (migration 3): PENDING → RUNNING → COMPLETED | FAILED |
 * STOPPED, with exit code, signal, reason, times, network, address, the owning rnx process and the
 * host resources to remove (cgroup, veth, run directory). Secret values are never stored: only the
 * names of the variables.
 */
import type { StatementSync } from 'node:sqlite';
import type { Database } from '../state/database.js';
import type { Resources } from '../validate/model.js';
import type { JobCgroup } from './cgroups.js';
import type { EndReason, JobStatus } from './job-spec.js';
import type { ProcessIdentity } from './proc-identity.js';

export interface JobRecord {
  readonly id: string;
  readonly name: string | null;
  readonly workflowRunId: string | null;
  readonly command: readonly string[];
  readonly envNames: readonly string[];
  readonly secretNames: readonly string[];
  readonly network: string;
  readonly address: string | null;
  readonly resources: Resources;
  readonly status: JobStatus;
  readonly reason: EndReason | null;
  readonly message: string | null;
  readonly exitCode: number | null;
  readonly signal: string | null;
  readonly createdAt: string;
  readonly startedAt: string | null;
  readonly endedAt: string | null;
  readonly owner: ProcessIdentity;
  readonly init: ProcessIdentity | null;
  readonly cgroup: JobCgroup | null;
  readonly veth: string | null;
  readonly runDir: string | null;
  readonly logPath: string;
  readonly stopRequestedAt: string | null;
  readonly active: boolean;
}

interface Row {
  id: string;
  name: string | null;
  workflow_run_id: string | null;
  command: string;
  env_names: string;
  secret_names: string;
  network: string;
  address: string | null;
  resources: string;
  status: string;
  reason: string | null;
  message: string | null;
  exit_code: number | null;
  signal: string | null;
  created_at: string;
  started_at: string | null;
  ended_at: string | null;
  owner_pid: number;
  owner_start: number;
  init_pid: number | null;
  init_start: number | null;
  cgroup: string | null;
  veth: string | null;
  run_dir: string | null;
  log_path: string;
  stop_requested_at: string | null;
  active: number;
}

function fromRow(row: Row): JobRecord {
  return {
    id: row.id,
    name: row.name,
    workflowRunId: row.workflow_run_id,
    command: JSON.parse(row.command) as string[],
    envNames: JSON.parse(row.env_names) as string[],
    secretNames: JSON.parse(row.secret_names) as string[],
    network: row.network,
    address: row.address,
    resources: JSON.parse(row.resources) as Resources,
    status: row.status as JobStatus,
    reason: row.reason as EndReason | null,
    message: row.message,
    exitCode: row.exit_code,
    signal: row.signal,
    createdAt: row.created_at,
    startedAt: row.started_at,
    endedAt: row.ended_at,
    owner: { pid: row.owner_pid, startTime: row.owner_start },
    init: row.init_pid === null ? null : { pid: row.init_pid, startTime: row.init_start ?? 0 },
    cgroup: row.cgroup === null ? null : (JSON.parse(row.cgroup) as JobCgroup),
    veth: row.veth,
    runDir: row.run_dir,
    logPath: row.log_path,
    stopRequestedAt: row.stop_requested_at,
    active: row.active === 1,
  };
}

const statements = new WeakMap<Database, Map<string, StatementSync>>();

/** Prepared once per database handle: a job makes a handful of these calls on its hot path. */
function statement(db: Database, sql: string): StatementSync {
  let cache = statements.get(db);
  if (cache === undefined) {
    cache = new Map();
    statements.set(db, cache);
  }
  let prepared = cache.get(sql);
  if (prepared === undefined) {
    prepared = db.prepare(sql);
    cache.set(sql, prepared);
  }
  return prepared;
}

export interface NewJob {
  readonly id: string;
  readonly name?: string;
  readonly workflowRunId?: string;
  readonly command: readonly string[];
  readonly envNames: readonly string[];
  readonly secretNames: readonly string[];
  readonly network: string;
  readonly resources: Resources;
  readonly owner: ProcessIdentity;
  readonly logPath: string;
  readonly createdAt: string;
}

export function insertJob(db: Database, job: NewJob): void {
  statement(
    db,
    `INSERT INTO jobs (id, name, workflow_run_id, command, env_names, secret_names, network,
       resources, status, created_at, owner_pid, owner_start, log_path)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'PENDING', ?, ?, ?, ?)`,
  ).run(
    job.id,
    job.name ?? null,
    job.workflowRunId ?? null,
    JSON.stringify(job.command),
    JSON.stringify(job.envNames),
    JSON.stringify(job.secretNames),
    job.network,
    JSON.stringify(job.resources),
    job.createdAt,
    job.owner.pid,
    job.owner.startTime,
    job.logPath,
  );
}

/** Host resources, recorded before they are created so a later rnx can always find them. */
export function recordResources(
  db: Database,
  id: string,
  resources: { cgroup?: JobCgroup; veth?: string; runDir?: string; address?: string },
): void {
  statement(
    db,
    `UPDATE jobs SET cgroup = coalesce(?, cgroup), veth = coalesce(?, veth),
       run_dir = coalesce(?, run_dir), address = coalesce(?, address) WHERE id = ?`,
  ).run(
    resources.cgroup === undefined ? null : JSON.stringify(resources.cgroup),
    resources.veth ?? null,
    resources.runDir ?? null,
    resources.address ?? null,
    id,
  );
}

export function markRunning(
  db: Database,
  id: string,
  init: ProcessIdentity,
  startedAt: string,
): void {
  statement(
    db,
    `UPDATE jobs SET status = 'RUNNING', init_pid = ?, init_start = ?, started_at = ? WHERE id = ?`,
  ).run(init.pid, init.startTime, startedAt, id);
}

export interface JobEnd {
  readonly status: JobStatus;
  readonly reason: EndReason;
  readonly exitCode: number | null;
  readonly signal: string | null;
  readonly message?: string;
  readonly endedAt: string;
}

/** The job's final state; its host resources are gone (active = 0). */
export function finishJob(db: Database, id: string, end: JobEnd): void {
  statement(
    db,
    `UPDATE jobs SET status = ?, reason = ?, exit_code = ?, signal = ?, message = ?, ended_at = ?,
       active = 0 WHERE id = ?`,
  ).run(end.status, end.reason, end.exitCode, end.signal, end.message ?? null, end.endedAt, id);
}

export function requestStop(db: Database, id: string, at: string): void {
  statement(
    db,
    'UPDATE jobs SET stop_requested_at = coalesce(stop_requested_at, ?) WHERE id = ?',
  ).run(at, id);
}

export function getJob(db: Database, id: string): JobRecord | undefined {
  const row = statement(db, 'SELECT * FROM jobs WHERE id = ?').get(id) as Row | undefined;
  return row === undefined ? undefined : fromRow(row);
}

/** A job by exact id, unique id prefix, or name (the most recent job of that name). */
export function findJob(db: Database, ref: string): JobRecord | undefined {
  const exact = getJob(db, ref);
  if (exact !== undefined) return exact;
  if (/^[0-9a-f]{4,11}$/.test(ref)) {
    const rows = statement(db, 'SELECT * FROM jobs WHERE id >= ? AND id < ? LIMIT 2').all(
      ref,
      `${ref}g`,
    ) as unknown as Row[];
    if (rows.length === 1 && rows[0] !== undefined) return fromRow(rows[0]);
  }
  const named = statement(
    db,
    'SELECT * FROM jobs WHERE name = ? ORDER BY created_at DESC, rowid DESC LIMIT 1',
  ).get(ref) as Row | undefined;
  return named === undefined ? undefined : fromRow(named);
}

export function listJobs(db: Database, limit = 1000): JobRecord[] {
  const rows = statement(db, 'SELECT * FROM jobs ORDER BY created_at DESC, rowid DESC LIMIT ?').all(
    limit,
  ) as unknown as Row[];
  return rows.map(fromRow);
}

/** Jobs that may still hold host resources: one indexed query, empty when nothing is left over. */
export function activeJobOwners(db: Database): { id: string; owner: ProcessIdentity }[] {
  const rows = statement(
    db,
    'SELECT id, owner_pid, owner_start FROM jobs WHERE active = 1',
  ).all() as unknown as Pick<Row, 'id' | 'owner_pid' | 'owner_start'>[];
  return rows.map((r) => ({ id: r.id, owner: { pid: r.owner_pid, startTime: r.owner_start } }));
}

/** Takes over a job from a dead owner; false when another rnx took it first. */
export function claimJob(
  db: Database,
  id: string,
  from: ProcessIdentity,
  to: ProcessIdentity,
): boolean {
  const result = statement(
    db,
    `UPDATE jobs SET owner_pid = ?, owner_start = ?
       WHERE id = ? AND owner_pid = ? AND owner_start = ? AND active = 1`,
  ).run(to.pid, to.startTime, id, from.pid, from.startTime);
  return Number(result.changes) === 1;
}
