/**
 * What the engine needs from the outside world, as interfaces, so that it never imports the
 * isolation runner or the CLI: the CLI wires the real runner (runJob, which also leases the job's
 * address when it starts and releases it when it ends) in, and unit tests wire in-memory ones.
 */
import type { JobResult, JobSpec } from '../isolation/job-spec.js';

export interface StartedInfo {
  readonly pid: number;
  /** The address the runner leased for the job when it started (absent on `none`). */
  readonly address?: string;
  /**
   * False on networks whose jobs cannot reach each other (`isolated`): the job is then not listed
   * in the other jobs' /etc/hosts. Absent means listed.
   */
  readonly listed?: boolean;
}

export interface RunHooks {
  /** Aborts to stop the job gracefully (SIGTERM to its tree, then SIGKILL after a grace period). */
  readonly signal: AbortSignal;
  /** Aborts to kill the job at once (a second Ctrl-C). */
  readonly killSignal: AbortSignal;
  /** The job's command is running (its PID as seen on the host). */
  onStarted(info: StartedInfo): void;
  /** Whole lines of the job's output that arrived together, each ending with `\n`. */
  onLines(stream: 'stdout' | 'stderr', text: string): void;
}

export interface JobRunner {
  /**
   * Runs one job to its end, leasing its address when it starts and releasing it when it ends;
   * never rejects for a job's own failure (that is a JobResult).
   */
  run(spec: JobSpec, hooks: RunHooks): Promise<JobResult>;
}

export interface EngineDeps {
  readonly runner: JobRunner;
  /** A fresh, unique job id (one per attempt). */
  newJobId(): string;
}
