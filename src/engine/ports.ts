/**
 * What the engine needs from the outside world, as interfaces, so that it never imports the
 * isolation runner, the network store or the CLI: the CLI wires the real ones (runJob, leaseAddress
 * and releaseLease) in, and unit tests wire in-memory ones.
 */
import type { JobResult, JobSpec } from '../isolation/job-spec.js';
import type { Result } from '../problem.js';

/** An address leased for a job before it starts (phase 1). */
export interface LeasedAddress {
  readonly jobId: string;
  readonly network: string;
  readonly address: string;
  /**
   * False on networks whose jobs cannot reach each other (`isolated`): the job is then not listed
   * in the other jobs' /etc/hosts. Absent means listed.
   */
  readonly listed?: boolean;
}

export interface AddressLeaser<L extends LeasedAddress> {
  /** Leases an address on `network` for `jobId`; `undefined` for networks without addresses. */
  lease(network: string, jobId: string): Promise<Result<L | undefined>>;
  /** Releases the lease of `jobId`; idempotent. */
  release(jobId: string): Promise<void>;
}

export interface StartedInfo {
  readonly pid: number;
  readonly address?: string;
}

export interface RunHooks {
  /** Aborts to stop the job gracefully (SIGTERM to its tree, then SIGKILL after a grace period). */
  readonly signal: AbortSignal;
  /** Aborts to kill the job at once (a second Ctrl-C). */
  readonly killSignal: AbortSignal;
  /** The job's command is running (its PID as seen on the host). */
  onStarted(info: StartedInfo): void;
  /** The job's readiness probe passed (only for jobs with a probe). */
  onReady(info: { readonly afterMs: number }): void;
  /** Whole lines of the job's output that arrived together, each ending with `\n`. */
  onLines(stream: 'stdout' | 'stderr', text: string): void;
}

export interface JobRunner<L extends LeasedAddress> {
  /** Runs one job to its end; never rejects for a job's own failure (that is a JobResult). */
  run(spec: JobSpec, lease: L | undefined, hooks: RunHooks): Promise<JobResult>;
}

export interface EngineDeps<L extends LeasedAddress> {
  readonly runner: JobRunner<L>;
  readonly addresses: AddressLeaser<L>;
  /** A fresh, unique job id (one per attempt). */
  newJobId(): string;
}
