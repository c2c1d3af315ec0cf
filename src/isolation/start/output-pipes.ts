/**
 * The job's stdout and stderr are real pipes (FIFOs), not the socket pair node gives a child for
 * 'pipe': on a socket, `open("/dev/stdout")` fails with ENXIO, and programs that write to
 * /dev/stdout or /dev/stderr (logs of nginx, PostgreSQL's `logging_collector` off, shell scripts)
 * break. Node has no mkfifo(3), so FIFOs are made ahead, in batches, by one `mkfifo` process into
 * `<state>/fifos/`; a job takes two by rename(2) into its run directory (atomic: two rnx processes
 * never take the same one), and a third for its go (go-fifo.ts), so a job start spawns nothing for
 * them once the pool is filled.
 * rnx opens the read end (non-blocking, so no writer is needed yet), then the write end that the
 * job gets as fd 1 or 2; the parent's copy of the write end is closed once the job is spawned, so
 * the read end sees EOF when the job and everything it started are gone.
 */
import {
  closeSync,
  constants,
  mkdirSync,
  openSync,
  readdirSync,
  renameSync,
  rmSync,
} from 'node:fs';
import { Socket } from 'node:net';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { runTool } from '../../exec.js';
import { fail, ok, type Result } from '../../problem.js';

/** FIFOs made per `mkfifo` process: 32 foreground jobs' (stdout, stderr, the go: go-fifo.ts). */
export const FIFO_BATCH = 96;

export interface OutputPipe {
  /** The FIFO in the job's run directory. */
  readonly path: string;
  /** Write end, for the child's stdio. */
  readonly writeFd: number;
  /** Closes rnx's copy of the write end (once the child is spawned); idempotent. */
  closeWrite(): void;
  /** Read end, as a stream. */
  readonly reader: Socket;
}

function poolDir(stateDir: string): string {
  return join(stateDir, 'fifos');
}

async function fillPool(stateDir: string): Promise<Result<void>> {
  const dir = poolDir(stateDir);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  // mkfifo -m makes each FIFO, then sets its mode: made in a staging directory of this batch's
  // own and moved into the pool only when whole, so no job takes one between the two steps.
  const prefix = `${String(process.pid)}-${randomBytes(4).toString('hex')}`;
  const staging = join(stateDir, 'fifos-new', prefix);
  mkdirSync(staging, { recursive: true, mode: 0o700 });
  const names = Array.from({ length: FIFO_BATCH }, (_, i) => `${prefix}-${String(i)}`);
  try {
    const made = await runTool('mkfifo', ['-m', '600', ...names.map((n) => join(staging, n))]);
    if (!made.ok) return made;
    if (made.value.code !== 0) {
      return fail(
        'fifo-failed',
        `could not make the jobs' output pipes: ${made.value.stderr.trim()}`,
      );
    }
    for (const name of names) renameSync(join(staging, name), join(dir, name));
    return ok(undefined);
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

/** Moves one pooled FIFO to `target`; false when the pool is empty. */
function takeOne(stateDir: string, target: string): boolean {
  const dir = poolDir(stateDir);
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return false;
  }
  for (const name of names) {
    try {
      renameSync(join(dir, name), target);
      return true;
    } catch {
      // Taken by another rnx meanwhile: try the next one.
    }
  }
  return false;
}

function openPipe(path: string): OutputPipe {
  const readFd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  const writeFd = openSync(path, constants.O_WRONLY);
  const reader = new Socket({ fd: readFd, readable: true, writable: false });
  let open = true;
  const closeWrite = (): void => {
    if (open) closeSync(writeFd);
    open = false;
  };
  return { path, writeFd, closeWrite, reader };
}

/** Moves a FIFO of the pool to `target`, filling the pool first when it is empty. */
export async function takeFifo(stateDir: string, target: string): Promise<Result<void>> {
  if (takeOne(stateDir, target)) return ok(undefined);
  const filled = await fillPool(stateDir);
  if (!filled.ok) return filled;
  return takeOne(stateDir, target)
    ? ok(undefined)
    : fail('fifo-failed', 'no FIFO could be taken from the pool');
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
