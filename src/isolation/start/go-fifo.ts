/**
 * The go of a foreground job: bwrap's block fd is a FIFO in the job's run directory, opened
 * read-write (Linux opens a FIFO so without waiting for the other end) and passed to bwrap as is.
 * bwrap takes an end of file on its block fd for the go; with a pipe from rnx, an rnx killed before
 * its go (after the cgroup join, or before it) let the command run anyway. Here the job's PID 1
 * holds a writer of the FIFO itself, so it never sees an end of file: it runs its command only on
 * the byte rnx writes, and without it waits until the next rnx command finds it (by the run
 * directory in its arguments: records/stray-processes.ts) and kills it. A detached job's
 * supervisor does the same with a FIFO it holds (detach/supervisor.ts).
 */
import { closeSync, constants, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { ok, type Result } from '../../problem.js';
import { takeFifo } from './fifo-pool.js';

export interface GoFifo {
  /** The FIFO in the job's run directory. */
  readonly path: string;
  /** Read-write, for bwrap's block fd. */
  readonly fd: number;
  /** Writes the go (one byte) and closes rnx's copy. */
  go(): void;
  /** Closes rnx's copy without a go (the job is killed, or ended); idempotent. */
  close(): void;
}

export async function goFifo(stateDir: string, runDir: string): Promise<Result<GoFifo>> {
  const path = join(runDir, 'go');
  const taken = await takeFifo(stateDir, path);
  if (!taken.ok) return taken;
  const fd = openSync(path, constants.O_RDWR);
  let open = true;
  const close = (): void => {
    if (open) closeSync(fd);
    open = false;
  };
  return ok({
    path,
    fd,
    go() {
      if (open) writeSync(fd, 'g');
      close();
    },
    close,
  });
}
