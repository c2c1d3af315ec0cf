/** Every job's current state, folded from engine events: what the live board and summaries show. */
import type { EngineEvent } from '../../engine/events.js';
import { formatDuration } from './format.js';

export type BoardState =
  | 'waiting'
  | 'running'
  | 'ready'
  | 'stopping'
  | 'retrying'
  | 'COMPLETED'
  | 'FAILED'
  | 'STOPPED'
  | 'CANCELED';

const ENDED: ReadonlySet<BoardState> = new Set(['COMPLETED', 'FAILED', 'STOPPED', 'CANCELED']);

export interface BoardRow {
  readonly job: string;
  state: BoardState;
  network: string;
  address?: string;
  attempt: number;
  startedAt?: number;
  endedAt?: number;
  exitCode: number | null;
  note?: string;
}

export class JobBoard {
  readonly rows = new Map<string, BoardRow>();
  workflow = '';
  runId = '';
  concurrency = 0;
  private width = 0;
  private readonly positions = new Map<string, number>();

  apply(event: EngineEvent): void {
    switch (event.event) {
      case 'workflow-started':
        this.workflow = event.workflow;
        this.runId = event.runId;
        this.concurrency = event.concurrency;
        for (const job of event.jobs) {
          if (!this.positions.has(job.job)) this.positions.set(job.job, this.positions.size);
          this.width = Math.max(this.width, job.job.length);
          this.rows.set(job.job, {
            job: job.job,
            state: 'waiting',
            network: job.network,
            attempt: 0,
            exitCode: null,
          });
        }
        return;
      case 'job-started':
        this.update(event.job, (row) => {
          row.state = 'running';
          row.attempt = event.attempt;
          row.startedAt = Date.parse(event.at);
          delete row.endedAt;
          if (event.address !== undefined) row.address = event.address;
        });
        return;
      case 'job-ready':
        this.update(event.job, (row) => {
          if (row.state === 'running') row.state = 'ready';
          row.note = `ready after ${formatDuration(event.afterMs)}`;
        });
        return;
      case 'job-stopping':
        this.update(event.job, (row) => {
          row.state = 'stopping';
          row.note = event.cause;
        });
        return;
      case 'job-retrying':
        this.update(event.job, (row) => {
          row.state = 'retrying';
          row.note = `attempt ${String(event.attempt)} in ${String(event.delayMs)} ms`;
        });
        return;
      case 'job-finished':
        this.update(event.job, (row) => {
          row.state =
            event.status === 'PENDING' || event.status === 'RUNNING' ? 'FAILED' : event.status;
          row.exitCode = event.exitCode;
          row.endedAt = Date.parse(event.at);
          if (event.reason !== 'exit') row.note = event.message ?? event.reason;
        });
        return;
      case 'job-canceled':
        this.update(event.job, (row) => {
          row.state = 'CANCELED';
          row.note = event.cause;
        });
        return;
      case 'job-reused':
        this.update(event.job, (row) => {
          row.state = 'COMPLETED';
          row.exitCode = 0;
          row.note = `reused from ${event.fromRun}`;
        });
        return;
      case 'job-output':
      case 'workflow-finished':
        return;
    }
  }

  /** Jobs that have ended, for a `3/7` progress count. */
  doneCount(): number {
    return [...this.rows.values()].filter((r) => ENDED.has(r.state)).length;
  }

  /** The longest job name (rows are only added by `workflow-started`). */
  nameWidth(): number {
    return this.width;
  }

  indexOf(job: string): number {
    return this.positions.get(job) ?? -1;
  }

  private update(job: string, change: (row: BoardRow) => void): void {
    const row = this.rows.get(job);
    if (row !== undefined) change(row);
  }
}
