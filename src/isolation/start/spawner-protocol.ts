/** The messages between a job start in rnx and its spawner process (spawner.ts). */
import type { CgroupReport } from '../cgroups/sandbox-cgroups.js';

/**
 * One of the child's fds: a new pipe whose end the spawner keeps (`pipe`), none (`ignore`), or a
 * FIFO the spawner opens by its path (the job's output FIFOs, write-only; its go FIFO, read-write).
 */
export type SpawnerFd = 'ignore' | 'pipe' | { readonly path: string; readonly flags: 'w' | 'r+' };

export type SpawnerRequest = {
  readonly op: 'spawn';
  readonly id: number;
  readonly file: string;
  readonly args: readonly string[];
  readonly env: NodeJS.ProcessEnv;
  readonly stdio: readonly SpawnerFd[];
  /** Where bwrap's protocol pipes are among them (sandbox-args.ts); the block fd is the go
   * FIFO (go-fifo.ts), written by rnx. */
  readonly fds: { readonly info: number; readonly status: number };
};

export type SpawnerReply =
  /** bwrap runs (its pid); rnx may close its copies of the FIFOs' write ends. */
  | { readonly id: number; readonly kind: 'spawned'; readonly pid: number }
  /** The job's PID 1 exists (bwrap's info fd). */
  | { readonly id: number; readonly kind: 'info'; readonly childPid: number }
  /** bwrap ended (or could not start: `error`); `exitCode`: the command's, from the status fd. */
  | {
      readonly id: number;
      readonly kind: 'closed';
      readonly code: number | null;
      readonly signal: NodeJS.Signals | null;
      readonly exitCode?: number;
      /** What rnx-sandbox said of the job's cgroups (sandbox-cgroups.ts), when it owned them. */
      readonly cgroup?: CgroupReport;
      readonly error?: string;
    };
