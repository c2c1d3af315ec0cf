/**
 * Job records in the state database (migration 3): PENDING → RUNNING → COMPLETED | FAILED |
 * STOPPED, with exit code, signal, reason, times, network, address, the owning rnx process and the
 * host resources to remove (cgroup, veth, run directory). Secret values are never stored: only the
 * names of the variables.
 */
import { sql } from '../../state/statements.js';
import type { Database } from '../../state/database.js';
import type { Resources } from '../../validate/model.js';
import type { JobCgroup } from '../cgroups/job-cgroup.js';
import type { EndReason, JobStatus } from '../job-spec.js';
import { fromRow, type EndCause, type JobRecord, type Row, type RunAs } from './job-row.js';
import type { ProcessIdentity } from './proc-identity.js';
import { DEFAULT_GRACE_MS, DEFAULT_STOP_SIGNAL } from '../end/stop-defaults.js';

export type { EndCause, JobRecord } from './job-row.js';

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
  /** Absent: SIGTERM and 10 s. */
  readonly stopSignal?: NodeJS.Signals;
  readonly stopGraceMs?: number;
}

export function insertJob(db: Database, job: NewJob): void {
  sql(
    db,
    `INSERT INTO jobs (id, name, workflow_run_id, command, env_names, secret_names, network,
       resources, status, created_at, owner_pid, owner_start, log_path, stop_signal, stop_grace_ms)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'PENDING', ?, ?, ?, ?, ?, ?)`,
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
    job.stopSignal ?? DEFAULT_STOP_SIGNAL,
    job.stopGraceMs ?? DEFAULT_GRACE_MS,
  );
}

/** The job's readiness probe passed. */
export function markReady(db: Database, id: string, readyAt: string): void {
  sql(db, 'UPDATE jobs SET ready_at = ? WHERE id = ?').run(readyAt, id);
}

/** Host resources, recorded before they are created so a later rnx can always find them. */
export function recordResources(
  db: Database,
  id: string,
  resources: { cgroup?: JobCgroup; veth?: string; runDir?: string; address?: string },
): void {
  sql(
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

/** Who the job runs as, once resolved (jobs with a user only). */
export function recordRunAs(db: Database, id: string, runAs: RunAs): void {
  sql(db, 'UPDATE jobs SET run_as = ? WHERE id = ?').run(JSON.stringify(runAs), id);
}

export function markRunning(
  db: Database,
  id: string,
  init: ProcessIdentity,
  startedAt: string,
): void {
  sql(
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
  /** What it used (its cgroups' totals), when known now (recordUsage recorded it otherwise). */
  readonly usage?: Usage;
}

export interface Usage {
  readonly cpuUsec?: number;
  readonly memoryPeakBytes?: number;
}

/**
 * The job's final state (active = 0): nothing of it runs, it holds no address or volume. `held`:
 * directories of its (cgroups, run directory, job filesystem) are still to be removed, which
 * `releasedJob` then records.
 */
export function finishJob(db: Database, id: string, end: JobEnd, held = false): void {
  sql(
    db,
    `UPDATE jobs SET status = ?, reason = ?, exit_code = ?, signal = ?, message = ?, ended_at = ?,
       active = 0, held = ?, cpu_usec = coalesce(?, cpu_usec), memory_peak = coalesce(?, memory_peak)
       WHERE id = ?`,
  ).run(
    end.status,
    end.reason,
    end.exitCode,
    end.signal,
    end.message ?? null,
    end.endedAt,
    held ? 1 : 0,
    end.usage?.cpuUsec ?? null,
    end.usage?.memoryPeakBytes ?? null,
    id,
  );
}

/** Whether a stop of the job was asked for (`rnx job stop`, or the engine). */
export function isStopRequested(db: Database, id: string): boolean {
  const row = sql(db, 'SELECT stop_requested_at AS at FROM jobs WHERE id = ?').get(id) as
    { at: string | null } | undefined;
  return (row?.at ?? null) !== null;
}

/** An ended job's directories are removed (`problems`: what could not be, added to its message). */
export function releasedJob(db: Database, id: string, problems: readonly string[] = []): void {
  const more = problems.length === 0 ? null : problems.join('; ');
  sql(
    db,
    `UPDATE jobs SET held = 0,
       message = CASE WHEN ?1 IS NULL THEN message ELSE coalesce(message || '; ', '') || ?1 END
       WHERE id = ?2`,
  ).run(more, id);
}

export function requestStop(db: Database, id: string, at: string): void {
  sql(db, 'UPDATE jobs SET stop_requested_at = coalesce(stop_requested_at, ?) WHERE id = ?').run(
    at,
    id,
  );
}

/**
 * Says why rnx is ending a running job (its timeout, its probe): the first cause wins, and a job
 * already ended keeps none. True when this call set it.
 */
export function setEndCause(db: Database, id: string, cause: EndCause): boolean {
  return (
    Number(
      sql(
        db,
        'UPDATE jobs SET end_cause = ? WHERE id = ? AND active = 1 AND end_cause IS NULL',
      ).run(JSON.stringify(cause), id).changes,
    ) > 0
  );
}

export function getJob(db: Database, id: string): JobRecord | undefined {
  const row = sql(db, 'SELECT * FROM jobs WHERE id = ?').get(id) as Row | undefined;
  return row === undefined ? undefined : fromRow(row);
}

/** Longer than any job id or name rnx accepts: such a reference names no job. */
export const MAX_JOB_REF_LENGTH = 256;

/** Ids of jobs starting with `ref` (4 to 11 hex digits; anything else is no id prefix), at most `limit`. */
export function jobIdsWithPrefix(db: Database, ref: string, limit = 10): string[] {
  if (!/^[0-9a-f]{4,11}$/.test(ref)) return [];
  const rows = sql(db, 'SELECT id FROM jobs WHERE id >= ? AND id < ? ORDER BY id LIMIT ?').all(
    ref,
    `${ref}g`,
    limit,
  ) as unknown as { id: string }[];
  return rows.map((r) => r.id);
}

/**
 * A job by exact id, unique id prefix, or name: the running job of that name if there is one
 * (the most recent when several run, on different networks), else the most recent of that name.
 */
export function findJob(db: Database, ref: string): JobRecord | undefined {
  if (ref.length > MAX_JOB_REF_LENGTH) return undefined;
  const exact = getJob(db, ref);
  if (exact !== undefined) return exact;
  const prefixed = jobIdsWithPrefix(db, ref, 2);
  if (prefixed.length === 1 && prefixed[0] !== undefined) return getJob(db, prefixed[0]);
  const named = sql(
    db,
    'SELECT * FROM jobs WHERE name = ? ORDER BY active DESC, created_at DESC, rowid DESC LIMIT 1',
  ).get(ref) as Row | undefined;
  return named === undefined ? undefined : fromRow(named);
}

export interface JobFilter {
  /** Only jobs in one of these states. */
  readonly statuses?: readonly JobStatus[];
  readonly network?: string;
  /** At most this many, newest first; 0 for all. */
  readonly limit: number;
}

/** Jobs, newest first, filtered; `total` counts every match, also those past the limit. */
export function listJobs(db: Database, filter: JobFilter): { jobs: JobRecord[]; total: number } {
  const where: string[] = [];
  const values: (string | number)[] = [];
  if (filter.statuses !== undefined && filter.statuses.length > 0) {
    where.push(`status IN (${filter.statuses.map(() => '?').join(', ')})`);
    values.push(...filter.statuses);
  }
  if (filter.network !== undefined) {
    where.push('network = ?');
    values.push(filter.network);
  }
  const clause = where.length === 0 ? '' : `WHERE ${where.join(' AND ')}`;
  const total = (
    db.prepare(`SELECT COUNT(*) AS n FROM jobs ${clause}`).get(...values) as { n: number }
  ).n;
  const limit = filter.limit === 0 ? -1 : filter.limit;
  const rows = db
    .prepare(`SELECT * FROM jobs ${clause} ORDER BY created_at DESC, rowid DESC LIMIT ?`)
    .all(...values, limit) as unknown as Row[];
  return { jobs: rows.map(fromRow), total };
}

/**
 * Jobs that may still hold host resources (running, or ended with directories still to remove):
 * indexed queries, empty when nothing is left over.
 */
export function activeJobOwners(db: Database): { id: string; owner: ProcessIdentity }[] {
  const rows = sql(
    db,
    'SELECT id, owner_pid, owner_start FROM jobs WHERE active = 1 UNION ALL SELECT id, owner_pid, owner_start FROM jobs WHERE held = 1',
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
  const result = sql(
    db,
    `UPDATE jobs SET owner_pid = ?, owner_start = ?
       WHERE id = ? AND owner_pid = ? AND owner_start = ? AND (active = 1 OR held = 1)`,
  ).run(to.pid, to.startTime, id, from.pid, from.startTime);
  return Number(result.changes) === 1;
}

/** Hands a job over to another owner process (a detached job's supervisor). */
export function setJobOwner(db: Database, id: string, owner: ProcessIdentity): void {
  sql(db, 'UPDATE jobs SET owner_pid = ?, owner_start = ? WHERE id = ?').run(
    owner.pid,
    owner.startTime,
    id,
  );
}

/** What a job used (its cgroups' totals), kept for when they are gone. */
export function recordUsage(db: Database, id: string, usage: Usage): void {
  sql(db, 'UPDATE jobs SET cpu_usec = ?, memory_peak = ? WHERE id = ?').run(
    usage.cpuUsec ?? null,
    usage.memoryPeakBytes ?? null,
    id,
  );
}
