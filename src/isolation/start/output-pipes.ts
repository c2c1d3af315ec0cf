/**
 * The job's stdout and stderr are real pipes (FIFOs), not the socket pair node gives a child for
 * 'pipe': on a socket, `open("/dev/stdout")` fails with ENXIO, and programs that write to
 * /dev/stdout or /dev/stderr (logs of nginx, PostgreSQL's `logging_collector` off, shell scripts)
 * break. Node has no mkfifo(3): a job takes two FIFOs from the state directory's pool
 * (fifo-pool.ts), and a third for its go (go-fifo.ts), so a job start spawns nothing for them
 * once the pool is filled; they go back to the pool when the job has ended.
 * rnx opens the read end (non-blocking, so no writer is needed yet), then the write end that the
 * job gets as fd 1 or 2; the parent's copy of the write end is closed once the job is spawned, so
 * the read end sees EOF when the job and everything it started are gone.
 */
import { closeSync, constants, openSync } from 'node:fs';
import { Socket } from 'node:net';
import { join } from 'node:path';
import { ok, type Result } from '../../problem.js';
import { takeFifo } from './fifo-pool.js';

export interface OutputPipe {
  /** The FIFO in the job's run directory. */
  readonly path: string;
  /** Write end, for the child's stdio. */
  readonly writeFd: number;
  /** Closes rnx's copy of the write end (once the child is spawned); idempotent. */
  closeWrite(): void;
  /**
   * Read end, as a stream: made when first asked for, which job-process.ts does once bwrap is
   * spawned (a Socket's set-up, its handle and its stream, costs about a millisecond of rnx's
   * thread, spent there while bwrap makes the sandbox; what bwrap writes before waits in the FIFO).
   */
  readonly reader: Socket;
}

function openPipe(path: string): OutputPipe {
  const readFd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  const writeFd = openSync(path, constants.O_WRONLY);
  let reader: Socket | undefined;
  let open = true;
  const closeWrite = (): void => {
    if (open) closeSync(writeFd);
    open = false;
  };
  return {
    path,
    writeFd,
    closeWrite,
    get reader() {
      reader ??= new Socket({ fd: readFd, readable: true, writable: false });
      return reader;
    },
  };
}

/** Two FIFOs in the run directory, opened: `stdout` and `stderr`. */
export async function outputPipes(
  stateDir: string,
  runDir: string,
): Promise<Result<{ stdout: OutputPipe; stderr: OutputPipe }>> {
  const paths = [join(runDir, 'stdout'), join(runDir, 'stderr')] as const;
  for (const path of paths) {
    const taken = await takeFifo(stateDir, path);
    if (!taken.ok) return taken;
  }
  return ok({ stdout: openPipe(paths[0]), stderr: openPipe(paths[1]) });
}
