/**
 * What the engine tells its listeners while a workflow runs. With `--json` each event is printed as
 * one JSON object per line, exactly these fields, except that a batch of output lines becomes one
 * `job-output` object per line (`JsonEvent`); the set is stable (fields may be added, never
 * renamed or removed). Times are ISO-8601 strings, durations milliseconds.
 */
import type { EndReason, JobStatus } from '../isolation/job-spec.js';
import type { Requirement } from '../validate/model.js';
import type { WorkflowStatus } from './workflow-status.js';

export interface PlannedJobInfo {
  readonly job: string;
  readonly network: string;
  readonly requires: readonly Requirement[];
  /** A digest of the job's definition: a rerun runs a reused job again when it changed. */
  readonly definition?: string;
}

export interface JobSummary {
  readonly job: string;
  /** Final status; PENDING never appears here. */
  readonly status: JobStatus;
  readonly reason?: EndReason;
  readonly exitCode: number | null;
  readonly durationMs: number | null;
  readonly network: string;
  readonly address?: string;
  readonly attempts: number;
  /** The id of the job's last attempt (for `rnx job log ID`); absent when it never started. */
  readonly jobId?: string;
  /** Why it was canceled or stopped by the workflow. */
  readonly cause?: string;
  /** What it wrote to $RNX_OUTPUT, once it completed. */
  readonly outputs?: Readonly<Record<string, string>>;
  /** CPU time its last attempt used (microseconds) and its peak memory (bytes). */
  readonly cpuUsec?: number;
  readonly memoryPeakBytes?: number;
}

export type EngineEvent =
  | {
      readonly event: 'workflow-started';
      readonly at: string;
      readonly runId: string;
      readonly workflow: string;
      readonly file: string;
      /** The file's absolute path and the workflow picked in it, to read it again for a rerun. */
      readonly path?: string;
      readonly workflowKey?: string;
      /** The run this one re-runs. */
      readonly rerunOf?: string;
      readonly concurrency: number;
      readonly jobs: readonly PlannedJobInfo[];
    }
  | {
      readonly event: 'job-started';
      readonly at: string;
      readonly job: string;
      readonly jobId: string;
      readonly attempt: number;
      readonly pid: number;
      readonly network: string;
      readonly address?: string;
    }
  | {
      /** The job's readiness probe passed: jobs that require it RUNNING may start. */
      readonly event: 'job-ready';
      readonly at: string;
      readonly job: string;
      readonly jobId: string;
      /** From the job's start. */
      readonly afterMs: number;
    }
  | {
      readonly event: 'job-output';
      readonly at: string;
      readonly job: string;
      readonly jobId: string;
      readonly stream: 'stdout' | 'stderr';
      /**
       * Whole lines that arrived together, as the job wrote them (bytes, UTF-8 when the job's
       * output is text), each ending with `\n` (never empty); `linesOf` in line-splitter.ts
       * splits their text. `--json` prints them decoded, one object per line (`JobOutputLine`).
       */
      readonly data: Buffer;
    }
  | {
      readonly event: 'job-finished';
      readonly at: string;
      readonly job: string;
      readonly jobId: string;
      readonly attempt: number;
      readonly status: JobStatus;
      readonly reason: EndReason;
      readonly exitCode: number | null;
      readonly signal: string | null;
      readonly durationMs: number | null;
      readonly message?: string;
      /** What the job wrote to $RNX_OUTPUT, when it completed. */
      readonly outputs?: Readonly<Record<string, string>>;
    }
  | {
      /** A rerun does not run this job again: it completed in `fromRun`, whose outputs it keeps. */
      readonly event: 'job-reused';
      readonly at: string;
      readonly job: string;
      readonly fromRun: string;
      readonly outputs: Readonly<Record<string, string>>;
    }
  | {
      readonly event: 'job-retrying';
      readonly at: string;
      readonly job: string;
      /** The attempt that starts after the delay. */
      readonly attempt: number;
      readonly delayMs: number;
    }
  | {
      readonly event: 'job-stopping';
      readonly at: string;
      readonly job: string;
      readonly cause: string;
    }
  | {
      readonly event: 'job-canceled';
      readonly at: string;
      readonly job: string;
      readonly cause: string;
    }
  | {
      readonly event: 'workflow-finished';
      readonly at: string;
      readonly runId: string;
      readonly status: WorkflowStatus;
      readonly exitCode: number;
      readonly durationMs: number;
      readonly jobs: readonly JobSummary[];
    };

export type EventName = EngineEvent['event'];

/** One line of a job's output as `--json` prints it: one object per line, never a batch. */
export interface JobOutputLine {
  readonly event: 'job-output';
  readonly at: string;
  readonly job: string;
  readonly jobId: string;
  readonly stream: 'stdout' | 'stderr';
  readonly line: string;
}

/** What `--json` prints: the engine's events, with output split into one object per line. */
export type JsonEvent = Exclude<EngineEvent, { event: 'job-output' }> | JobOutputLine;
