/**
 * The workflow model: what validation produces and the engine consumes. Pure data, no behaviour.
 * A Plan is only built from a file that passed every rule.
 */

/** `requires` conditions, as in Joblet's guide. */
export type Condition = 'COMPLETED' | 'FAILED' | 'FINISHED' | 'RUNNING';
export const CONDITIONS: readonly Condition[] = ['COMPLETED', 'FAILED', 'FINISHED', 'RUNNING'];

/** Where a node of the file is, for diagnostics that point at it. Lines and columns start at 1. */
export interface SourceSpan {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly endLine: number;
  readonly endColumn: number;
}

export interface Requirement {
  /** The required job, or the matrix job whose instances are listed in `of`. */
  readonly job: string;
  readonly condition: Condition;
  /**
   * A matrix job's instances: the requirement is on all of them together (COMPLETED: all
   * completed; FAILED: all ended and one or more failed; FINISHED: all finished; RUNNING: all running).
   */
  readonly of?: readonly string[];
}

export interface Resources {
  /** Percent of one core (100 = one full core). */
  readonly maxCpu?: number;
  /** Bytes. */
  readonly maxMemory?: number;
  /** Bytes per second, read and write, on the job's block devices. */
  readonly maxIoBps?: number;
  /** A cpuset list such as `0-1` or `0,2`. */
  readonly cpuCores?: string;
  readonly maxProcesses?: number;
}

export interface Uploads {
  /** Absolute host paths, resolved relative to the workflow file and checked not to escape it. */
  readonly files: readonly string[];
  readonly directories: readonly string[];
}

/** How a job says it is ready (the `ready` key, `--ready` on `rnx job run`). */
export type Probe =
  /** A command run inside the job; ready when it exits 0. */
  | { readonly kind: 'exec'; readonly command: readonly string[] }
  /** A TCP connect to this port, from inside the job's network namespace. */
  | { readonly kind: 'tcp'; readonly port: number }
  /** A GET of a path (`/health`, on 127.0.0.1:80) or an http:// URL, from inside the job's netns. */
  | { readonly kind: 'http'; readonly target: string }
  /** A regular expression matched against each line of the job's output. */
  | { readonly kind: 'log'; readonly pattern: string };

export interface Readiness {
  readonly probe: Probe;
  /** Between attempts. */
  readonly intervalMs: number;
  /** From the job's start; then the job is stopped and ends FAILED, reason not-ready. */
  readonly timeoutMs: number;
}

export const DEFAULT_READY_INTERVAL_MS = 250;
export const DEFAULT_READY_TIMEOUT_MS = 60_000;

export interface PlannedJob {
  readonly name: string;
  readonly command: string;
  readonly args: readonly string[];
  readonly network: string;
  readonly runtime?: string;
  readonly volumes: readonly string[];
  readonly uploads: Uploads;
  /** Changes to Docker's default capability set; absent: the default. */
  readonly capabilities?: { readonly add: readonly string[]; readonly drop: readonly string[] };
  readonly requires: readonly Requirement[];
  /** Workflow-level environment merged under the job's own, `${VAR}` references expanded. */
  readonly environment: Readonly<Record<string, string>>;
  readonly secretEnvironment: Readonly<Record<string, string>>;
  readonly resources: Resources;
  /** Milliseconds; undefined means no timeout. */
  readonly timeoutMs?: number;
  /** Extra attempts after the first failure (0 = run once). */
  readonly retries: number;
  /** Absent: the job is ready as soon as its command runs. */
  readonly ready?: Readiness;
  /** `NAME`, `UID`, `UID:GID` or `NAME:GROUP`, resolved in the job's own root when it starts. */
  readonly user?: string;
  /** Absent: SIGTERM. */
  readonly stopSignal?: NodeJS.Signals;
  /** Absent: 10 s. */
  readonly stopGraceMs?: number;
  /** Paths (globs allowed) under /work kept when the job completes, as declared; absent: none. */
  readonly artifacts?: readonly string[];
  /** For an instance of a matrix job: the matrix job's name and this instance's values. */
  readonly matrix?: { readonly job: string; readonly values: Readonly<Record<string, string>> };
}

export interface Plan {
  /** The workflow file, as given by the user. */
  readonly file: string;
  /** The same, absolute. */
  readonly path?: string;
  readonly name: string;
  /** The key under `workflows:` that was selected, for files holding several workflows. */
  readonly workflow?: string;
  readonly description?: string;
  /** Jobs in a stable order (file order). */
  readonly jobs: readonly PlannedJob[];
  /** Waves: each wave's jobs depend only on jobs in earlier waves. */
  readonly waves: readonly (readonly string[])[];
}
