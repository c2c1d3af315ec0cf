/**
 * Workflow run records (migration 4): each run gets an id stored with its jobs and every attempt's
 * job id (the key into the jobs table and the job's log). `WorkflowRecorder` folds engine events
 * into the database as they happen, so `rnx workflow status ID` is true while a run is going on.
 */
import { randomBytes } from 'node:crypto';
import { transaction, type Database } from '../state/database.js';
import { sql } from '../state/statements.js';
import type { Requirement } from '../validate/model.js';
import type { EngineEvent } from './events.js';

export function newRunId(): string {
  return `wr-${randomBytes(4).toString('hex')}`;
}

/** The rnx process running a workflow: its pid and start time (pids are reused, the pair is not). */
export interface RunOwner {
  readonly pid: number;
  readonly startTime: number;
}

export class WorkflowRecorder {
  private readonly db: Database;
  private readonly owner: RunOwner;
  private runId = '';

  constructor(db: Database, owner: RunOwner) {
    this.db = db;
    this.owner = owner;
  }

  /** Folds one event in: its statements in one transaction, each prepared once per database. */
  onEvent(e: EngineEvent): void {
    if (e.event === 'job-output') return;
    transaction(this.db, () => this.write(e));
  }

  private write(e: EngineEvent): void {
    const db = { prepare: (text: string) => sql(this.db, text) };
    switch (e.event) {
      case 'workflow-started': {
        db.prepare(
          `INSERT INTO workflow_runs
             (id, workflow, file, status, concurrency, pid, pid_start, started_at, path,
              workflow_key, rerun_of)
           VALUES (?, ?, ?, 'RUNNING', ?, ?, ?, ?, ?, ?, ?)`,
        ).run(
          e.runId,
          e.workflow,
          e.file,
          e.concurrency,
          this.owner.pid,
          this.owner.startTime,
          e.at,
          e.path ?? null,
          e.workflowKey ?? null,
          e.rerunOf ?? null,
        );
        const insert = db.prepare(
          `INSERT INTO workflow_jobs
             (run_id, name, position, network, address, requires, status, definition)
           VALUES (?, ?, ?, ?, ?, ?, 'PENDING', ?)`,
        );
        e.jobs.forEach((job, i) => {
          const requires = JSON.stringify(job.requires);
          insert.run(e.runId, job.job, i, job.network, null, requires, job.definition ?? null);
        });
        this.runId = e.runId;
        return;
      }
      case 'job-started':
        db.prepare(
          `UPDATE workflow_jobs SET status = 'RUNNING', attempts = ?, job_id = ?, started_at = ?,
             address = COALESCE(?, address), ended_at = NULL WHERE run_id = ? AND name = ?`,
        ).run(e.attempt, e.jobId, e.at, e.address ?? null, this.runId, e.job);
        db.prepare(
          `INSERT INTO workflow_attempts (run_id, name, attempt, job_id, status, started_at)
           VALUES (?, ?, ?, ?, 'RUNNING', ?)`,
        ).run(this.runId, e.job, e.attempt, e.jobId, e.at);
        return;
      case 'job-finished':
        db.prepare(
          `UPDATE workflow_attempts SET status = ?, reason = ?, exit_code = ?, ended_at = ?
           WHERE job_id = ?`,
        ).run(e.status, e.reason, e.exitCode, e.at, e.jobId);
        db.prepare(
          `UPDATE workflow_jobs SET status = ?, reason = ?, exit_code = ?, ended_at = ?,
             outputs = ? WHERE run_id = ? AND name = ?`,
        ).run(
          e.status,
          e.reason,
          e.exitCode,
          e.at,
          e.outputs === undefined ? null : JSON.stringify(e.outputs),
          this.runId,
          e.job,
        );
        return;
      case 'job-reused':
        db.prepare(
          `UPDATE workflow_jobs SET status = 'COMPLETED', reason = 'exit', exit_code = 0,
             outputs = ?, reused_from = ?, cause = ? WHERE run_id = ? AND name = ?`,
        ).run(JSON.stringify(e.outputs), e.fromRun, `reused from ${e.fromRun}`, this.runId, e.job);
        return;
      case 'job-retrying':
        this.setJob(
          e.job,
          `status = 'PENDING', cause = ?`,
          `retrying: attempt ${String(e.attempt)}`,
        );
        return;
      case 'job-stopping':
        this.setJob(e.job, 'cause = ?', e.cause);
        return;
      case 'job-canceled':
        this.setJob(e.job, `status = 'CANCELED', reason = 'canceled', cause = ?`, e.cause);
        return;
      case 'workflow-finished':
        db.prepare(
          `UPDATE workflow_runs SET status = ?, exit_code = ?, ended_at = ? WHERE id = ?`,
        ).run(e.status, e.exitCode, e.at, e.runId);
        for (const job of e.jobs) {
          db.prepare(
            `UPDATE workflow_jobs SET status = ?, reason = ?, exit_code = ?, cause = ?,
               attempts = ?, job_id = COALESCE(?, job_id) WHERE run_id = ? AND name = ?`,
          ).run(
            job.status,
            job.reason ?? null,
            job.exitCode,
            job.cause ?? null,
            job.attempts,
            job.jobId ?? null,
            e.runId,
            job.job,
          );
        }
        return;
      case 'job-output':
        return;
    }
  }

  private setJob(job: string, set: string, value: string): void {
    sql(this.db, `UPDATE workflow_jobs SET ${set} WHERE run_id = ? AND name = ?`).run(
      value,
      this.runId,
      job,
    );
  }
}

export interface RunRow {
  readonly id: string;
  readonly workflow: string;
  readonly file: string;
  readonly status: string;
  readonly exitCode: number | null;
  readonly concurrency: number;
  readonly startedAt: string;
  readonly endedAt: string | null;
  readonly jobs: number;
  /** The workflow file, absolute, and the workflow picked in it (for reruns). */
  readonly path: string | null;
  readonly workflowKey: string | null;
  /** The run this one re-ran. */
  readonly rerunOf: string | null;
}

export interface RunJobRow {
  readonly name: string;
  readonly status: string;
  readonly reason: string | null;
  readonly exitCode: number | null;
  readonly requires: readonly Requirement[];
  readonly network: string;
  readonly address: string | null;
  readonly attempts: number;
  readonly jobId: string | null;
  readonly cause: string | null;
  readonly startedAt: string | null;
  readonly endedAt: string | null;
  /** What it wrote to $RNX_OUTPUT (when it completed). */
  readonly outputs: Readonly<Record<string, string>> | null;
  readonly definition: string | null;
  /** The run whose completed result this job reused, in a rerun. */
  readonly reusedFrom: string | null;
}

/** Marks runs whose rnx process died without finishing them as CANCELED. */
export function reconcileRuns(db: Database, isAlive: (owner: RunOwner) => boolean): void {
  const open = db
    .prepare(`SELECT id, pid, pid_start AS startTime FROM workflow_runs WHERE status = 'RUNNING'`)
    .all() as { id: string; pid: number; startTime: number }[];
  for (const run of open) {
    if (isAlive(run)) continue;
    db.prepare(`UPDATE workflow_runs SET status = 'CANCELED', exit_code = 130 WHERE id = ?`).run(
      run.id,
    );
    db.prepare(
      `UPDATE workflow_jobs SET status = 'CANCELED', cause = 'the rnx process running it died'
       WHERE run_id = ? AND status IN ('PENDING', 'RUNNING')`,
    ).run(run.id);
  }
}

const RUN_COLUMNS = `r.id, r.workflow, r.file, r.status, r.exit_code AS exitCode, r.concurrency,
  r.started_at AS startedAt, r.ended_at AS endedAt, r.path, r.workflow_key AS workflowKey,
  r.rerun_of AS rerunOf,
  (SELECT COUNT(*) FROM workflow_jobs j WHERE j.run_id = r.id) AS jobs`;

/** Every run, newest first. */
export function listRuns(db: Database): RunRow[] {
  return db
    .prepare(`SELECT ${RUN_COLUMNS} FROM workflow_runs r ORDER BY r.started_at DESC, r.rowid DESC`)
    .all() as unknown as RunRow[];
}

/** Longer than any run id rnx makes (`wr-` and 8 hex digits): such a reference names no run. */
export const MAX_RUN_REF_LENGTH = 64;

/**
 * The runs `ref` names: the one run of that exact id, else those whose id starts with `ref`
 * (compared as a plain prefix: `%` and `_` are characters, not patterns), at most `limit`.
 */
export function runsMatching(db: Database, ref: string, limit = 10): RunRow[] {
  if (ref === '' || ref.length > MAX_RUN_REF_LENGTH) return [];
  const exact = db.prepare(`SELECT ${RUN_COLUMNS} FROM workflow_runs r WHERE r.id = ?`).all(ref);
  if (exact.length > 0) return exact as unknown as RunRow[];
  return db
    .prepare(
      `SELECT ${RUN_COLUMNS} FROM workflow_runs r WHERE substr(r.id, 1, ?) = ?
       ORDER BY r.id LIMIT ?`,
    )
    .all(ref.length, ref, limit) as unknown as RunRow[];
}

/** One run by id or unique id prefix; undefined when none or ambiguous. */
export function findRun(db: Database, id: string): RunRow | undefined {
  const rows = runsMatching(db, id, 2);
  return rows.length === 1 ? rows[0] : undefined;
}

export function runJobs(db: Database, runId: string): RunJobRow[] {
  const rows = db
    .prepare(
      `SELECT name, status, reason, exit_code AS exitCode, requires, network, address, attempts,
         job_id AS jobId, cause, started_at AS startedAt, ended_at AS endedAt, outputs,
         definition, reused_from AS reusedFrom
       FROM workflow_jobs WHERE run_id = ? ORDER BY position`,
    )
    .all(runId) as unknown as (Omit<RunJobRow, 'requires' | 'outputs'> & {
    requires: string;
    outputs: string | null;
  })[];
  return rows.map((row) => ({
    ...row,
    requires: JSON.parse(row.requires) as Requirement[],
    outputs: row.outputs === null ? null : (JSON.parse(row.outputs) as Record<string, string>),
  }));
}

/** Every attempt's job id of a run, in job order then attempt order. */
export function runAttemptJobIds(db: Database, runId: string): string[] {
  const rows = db
    .prepare(
      `SELECT a.job_id AS jobId FROM workflow_attempts a
       JOIN workflow_jobs j ON j.run_id = a.run_id AND j.name = a.name
       WHERE a.run_id = ? ORDER BY j.position, a.attempt`,
    )
    .all(runId) as { jobId: string }[];
  return rows.map((r) => r.jobId);
}

/** What a workflow job wrote to $RNX_OUTPUT, by the job id of its attempt; undefined when none. */
export function outputsOfJob(db: Database, jobId: string): Record<string, string> | undefined {
  const row = db
    .prepare(`SELECT outputs FROM workflow_jobs WHERE job_id = ? AND outputs IS NOT NULL`)
    .get(jobId) as { outputs: string } | undefined;
  return row === undefined ? undefined : (JSON.parse(row.outputs) as Record<string, string>);
}

/** Workflow runs that ended before `cutoff` (an ISO time), with their jobs and attempts. */
export function pruneEndedRuns(db: Database, cutoff: string): string[] {
  const old = db
    .prepare(`SELECT id FROM workflow_runs WHERE status != 'RUNNING' AND ended_at < ?`)
    .all(cutoff) as { id: string }[];
  const remove = db.prepare('DELETE FROM workflow_runs WHERE id = ?');
  for (const run of old) remove.run(run.id);
  return old.map((r) => r.id);
}
