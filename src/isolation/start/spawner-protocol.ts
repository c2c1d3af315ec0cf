/** The messages between a job start on the main thread and the spawner thread (spawner.ts). */

export type SpawnerRequest = {
  readonly op: 'spawn';
  readonly id: number;
  readonly file: string;
  readonly args: readonly string[];
  readonly env: NodeJS.ProcessEnv;
  /** The child's fds: file descriptors of this process (threads share them), or a new pipe. */
  readonly stdio: readonly (number | 'ignore' | 'pipe')[];
  /** Where bwrap's protocol pipes are among them (sandbox-args.ts); the block fd is the go
   * FIFO (go-fifo.ts), written by the main thread. */
  readonly fds: { readonly info: number; readonly status: number };
};

export type SpawnerReply =
  /** bwrap runs (its pid); the main thread may close its copies of the stdio fds. */
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
      readonly error?: string;
    };
