/**
 * The pool of FIFOs that jobs' output pipes and go FIFOs are taken from (`<state>/fifos/`, a
 * spare pool: state/spare-pool.ts). Node has no mkfifo(3): FIFOs are made ahead, in batches, by
 * one `mkfifo` process, and a job takes one by rename(2) into its run directory. Once the job has
 * ended (its processes gone, so no one holds the FIFO open and the kernel has freed its buffer),
 * rnx puts it back instead of deleting it: a FIFO keeps no data between openings. So a state
 * directory's pool is made once, then goes round.
 */
import { mkdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { runTool } from '../../exec.js';
import { fail, ok, type Result } from '../../problem.js';
import { asMade, freshName, sparePool } from '../../state/spare-pool.js';

/** FIFOs made per `mkfifo` process: 32 foreground jobs' (stdout, stderr, the go: go-fifo.ts). */
const FIFO_BATCH = 96;

/** The mode every pooled FIFO has (`mkfifo -m 600`); one changed for a job is not put back. */
const POOL_MODE = 0o600;

function poolDir(stateDir: string): string {
  return join(stateDir, 'fifos');
}

async function fillPool(stateDir: string): Promise<Result<void>> {
  const dir = poolDir(stateDir);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  // mkfifo -m makes each FIFO, then sets its mode: made in a staging directory of this batch's
  // own and moved into the pool only when whole, so no job takes one between the two steps.
  const prefix = freshName();
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
    sparePool(dir).adopt(names);
    return ok(undefined);
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

/**
 * Moves a FIFO of the pool to `target`, filling the pool first when it is empty. A FIFO already
 * there as the pool gives them (a spare run directory keeps its job's FIFOs: job-files.ts) is
 * used as it is.
 */
export async function takeFifo(stateDir: string, target: string): Promise<Result<void>> {
  if (isPooledFifo(target)) return ok(undefined);
  const pool = sparePool(poolDir(stateDir));
  if (pool.take(target)) return ok(undefined);
  const filled = await fillPool(stateDir);
  if (!filled.ok) return filled;
  return pool.take(target)
    ? ok(undefined)
    : fail('fifo-failed', 'no FIFO could be taken from the pool');
}

/**
 * Puts a job's FIFOs back into the pool, once nothing holds them open (the job's processes are
 * gone and rnx closed its ends). Only FIFOs exactly as the pool gave them (root's, mode 600, one
 * link) go back; anything else stays where it is, for its directory's removal.
 */
export function returnFifos(stateDir: string, paths: readonly string[]): void {
  const pool = sparePool(poolDir(stateDir));
  for (const path of paths) {
    if (isPooledFifo(path)) pool.put(path);
  }
}

/** A FIFO exactly as the pool gives them (root's, mode 600, one link): fit to serve again. */
export function isPooledFifo(path: string): boolean {
  return asMade(path, 'fifo', POOL_MODE);
}
