/**
 * What the engine needs from the outside world, as interfaces, so that it never imports the
 * isolation runner or the CLI: the CLI wires the real runner (runJob, which also leases the job's
 * address when it starts and releases it when it ends) in, and unit tests wire in-memory ones.
 */
import type { JobResult, JobSpec } from '../isolation/job-spec.js';
import type { Result } from '../problem.js';

export interface StartedInfo {
  readonly pid: number;
  /** The address the runner leased for the job when it started (absent on `none`). */
  readonly address?: string;
}

export interface RunHooks {
  /** Aborts to stop the job gracefully (SIGTERM to its tree, then SIGKILL after a grace period). */
  readonly signal: AbortSignal;
  /** Aborts to kill the job at once (a second Ctrl-C). */
  readonly killSignal: AbortSignal;
  /**
   * Waits for the job's turn to run: a slot of the workflow's concurrency. The runner calls it
   * once before the command starts: with the job's sandbox made (so the engine can set up the
   * next jobs' sandboxes while others run), or, for a job on a network, before its address is
   * leased. False: the job must not start (stopped, or no longer wanted), and the runner ends it
   * without running its command.
   */
  slot(): Promise<boolean>;
  /** The job's command is running (its PID as seen on the host). */
  onStarted(info: StartedInfo): void;
  /** The job's readiness probe passed (only for jobs with a probe). */
  onReady(info: { readonly afterMs: number }): void;
  /** Whole lines of the job's output that arrived together, as bytes, each ending with `\n`. */
  onLines(stream: 'stdout' | 'stderr', data: Buffer): void;
}

export interface JobRunner {
  /**
   * Runs one job to its end, leasing its address when it starts and releasing it when it ends;
   * never rejects for a job's own failure (that is a JobResult).
   */
  run(spec: JobSpec, hooks: RunHooks): Promise<JobResult>;
}

/** One attempt's host directories: its /work (when it keeps artifacts), the folder of its $RNX_OUTPUT. */
export interface AttemptFiles {
  readonly workspace?: string;
  readonly outputDir: string;
}

/**
 * Where a run keeps what passes between jobs: each attempt's workspace and output file, and the
 * artifacts of completed jobs. Without it, jobs get no $RNX_OUTPUT and keep no artifacts.
 */
export interface RunFiles {
  /** `workspace`: the job keeps artifacts, so its /work must outlive it until they are kept. */
  prepare(runId: string, jobId: string, workspace: boolean): AttemptFiles;
  /** What the attempt wrote to $RNX_OUTPUT; a problem when it is too large. */
  outputText(files: AttemptFiles): Result<string>;
  /** Moves the matches of `patterns` from the workspace to the job's artifacts; a pattern matching nothing is a problem. */
  keepArtifacts(
    files: AttemptFiles,
    runId: string,
    job: string,
    patterns: readonly string[],
  ): Result<string[]>;
  /** Host directory of a job's kept artifacts. */
  artifactsDir(runId: string, job: string): string;
  /** Removes the attempt's directories (off the critical path: directories are slow to remove). */
  discard(runId: string, jobId: string): Promise<void>;
}

export interface EngineDeps {
  readonly runner: JobRunner;
  readonly files?: RunFiles;
  /** A fresh, unique job id (one per attempt). */
  newJobId(): string;
}
