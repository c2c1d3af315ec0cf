/**
 * What the isolation runner takes (one fully resolved job) and what it gives back. The runner knows
 * nothing of workflows: the engine and `rnx job run` both build a JobSpec.
 */
import type { Problem } from '../problem.js';
import type { Readiness, Resources } from '../validate/model.js';

export type JobStatus = 'PENDING' | 'RUNNING' | 'COMPLETED' | 'FAILED' | 'STOPPED' | 'CANCELED';

/** Why a job ended the way it did, beyond its exit code. */
/**
 * The exit code of a job that ran past its timeout, whatever it did on SIGTERM (coreutils'
 * `timeout` uses the same): a job that traps the signal and exits 0 still failed.
 */
export const TIMEOUT_EXIT_CODE = 124;

export type EndReason =
  | 'exit' // the command exited by itself (code 0 or not)
  | 'signal' // killed by a signal it did not expect
  | 'oom' // the memory limit's OOM killer ended it
  | 'timeout' // its timeout expired and rnx stopped it
  | 'not-ready' // its readiness probe did not pass within its timeout; rnx stopped it
  | 'stopped' // a user asked to stop it (rnx job stop, Ctrl-C)
  | 'network-setup' // phase 2 failed or timed out; the command never ran
  | 'start-failed' // the command could not be started (not found, host lacks a feature)
  | 'canceled' // never started: its requirements can no longer be met (engine only)
  | 'orphaned' // the rnx that ran it was killed; a later rnx removed what it left
  | 'output-missing' // never started: it uses an output a required job did not write (engine only)
  | 'artifact-missing' // it exited 0 but a path declared in `artifacts:` did not exist (engine only)
  | 'output-too-large'; // it exited 0 but wrote more than 1 MiB to $RNX_OUTPUT (engine only)

export interface HostEntry {
  readonly name: string;
  readonly address: string;
}

export interface JobSpec {
  /** Unique job id (see newJobId). */
  readonly id: string;
  /** Optional human name; also the job's hostname. */
  readonly name?: string;
  readonly command: string;
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  /** In the job's environment, never printed, logged or stored in clear. */
  readonly secretEnv: Readonly<Record<string, string>>;
  /** Network name: `bridge` (default), `isolated`, `none`, or a custom network. */
  readonly network: string;
  readonly resources: Resources;
  readonly timeoutMs?: number;
  /** Other jobs to list in this job's /etc/hosts (the engine's jobs on the same network). */
  readonly hosts?: readonly HostEntry[];
  /** Workflow run this job belongs to, if any. */
  readonly workflowRunId?: string;
  readonly volumes?: readonly string[];
  readonly runtime?: string;
  readonly uploads?: { readonly files: readonly string[]; readonly directories: readonly string[] };
  /** Changes to Docker's default capability set (`--cap-add` / `--cap-drop`, `capabilities:`). */
  readonly capabilities?: { readonly add?: readonly string[]; readonly drop?: readonly string[] };
  /** How the job says it is ready (absent: ready when its command runs). */
  readonly ready?: Readiness;
  /** `NAME`, `UID`, `UID:GID` or `NAME:GROUP`, resolved in the job's own root. */
  readonly user?: string;
  /** The signal that asks the job to stop (default SIGTERM). */
  readonly stopSignal?: NodeJS.Signals;
  /** From the stop signal to SIGKILL (default 10 s). */
  readonly stopGraceMs?: number;
  /**
   * Host directory the job sees as /work, made and removed by the caller (a workflow keeps
   * artifacts from it); absent: a per-job directory removed when the job ends.
   */
  readonly workspace?: string;
  /** More host directories bound into the job, e.g. earlier jobs' artifacts (read-only). */
  readonly binds?: readonly Bind[];
}

export interface Bind {
  /** Host directory. */
  readonly source: string;
  /** Absolute path in the job: under /run or /tmp (made on their tmpfs), or a new top directory. */
  readonly target: string;
  readonly readOnly: boolean;
}

export interface JobResult {
  readonly id: string;
  readonly name?: string;
  readonly status: JobStatus;
  readonly reason: EndReason;
  readonly exitCode: number | null;
  readonly signal: string | null;
  readonly network: string;
  readonly address?: string;
  /** ISO-8601 times. */
  readonly startedAt?: string;
  readonly endedAt: string;
  /** A human sentence for failures that are not the command's own (network setup, start failure). */
  readonly message?: string;
  /** For start failures: the problem with its hint (code `host-*` means the host lacks something). */
  readonly problem?: Problem;
  /** A detached job that runs (status RUNNING): the host pid of its PID 1. */
  readonly pid?: number;
  /** CPU time it used (microseconds) and its peak memory (bytes), from its cgroups. */
  readonly cpuUsec?: number;
  readonly memoryPeakBytes?: number;
}
