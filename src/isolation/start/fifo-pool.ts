/**
 * The pool of FIFOs that jobs' output pipes and go FIFOs are taken from (`<state>/fifos/`). Node
 * has no mkfifo(3): FIFOs are made ahead, in batches, by one `mkfifo` process, and a job takes
 * one by rename(2) into its run directory (atomic: two rnx processes never take the same one).
 * Once the job has ended (its processes gone, so no one holds the FIFO open and its buffer is
 * freed by the kernel), rnx puts it back by another rename instead of deleting it: a FIFO keeps
 * no data between openings. So a state directory's pool is made once, then goes round; making
 * and deleting three inodes per job cost more than anything else rnx did on an ext4 disk (its
 * allocator scans past recently deleted inodes). The names this process put into the pool or
 * found there are kept in memory, so a take is one rename, not a listing of the pool.
 */
import { lstatSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { runTool } from '../../exec.js';
import { fail, ok, type Result } from '../../problem.js';

/** FIFOs made per `mkfifo` process: 32 foreground jobs' (stdout, stderr, the go: go-fifo.ts). */
export const FIFO_BATCH = 96;

/** The mode every pooled FIFO has (`mkfifo -m 600`); one changed for a job is not put back. */
const POOL_MODE = 0o600;

function poolDir(stateDir: string): string {
  return join(stateDir, 'fifos');
}

/** Names believed to be in each state directory's pool (another rnx may have taken some). */
const known = new Map<string, string[]>();

function namesOf(stateDir: string): string[] {
  let names = known.get(stateDir);
  if (names === undefined) {
    names = [];
    known.set(stateDir, names);
  }
  return names;
}

/** A name no other process or batch uses. */
function freshPrefix(): string {
  return `${String(process.pid)}-${randomBytes(4).toString('hex')}`;
}

async function fillPool(stateDir: string): Promise<Result<void>> {
  const dir = poolDir(stateDir);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  // mkfifo -m makes each FIFO, then sets its mode: made in a staging directory of this batch's
  // own and moved into the pool only when whole, so no job takes one between the two steps.
  const prefix = freshPrefix();
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
    namesOf(stateDir).push(...names);
    return ok(undefined);
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

/** Moves one pooled FIFO to `target`; false when the pool is empty. */
function takeOne(stateDir: string, target: string): boolean {
  const dir = poolDir(stateDir);
  const names = namesOf(stateDir);
  for (let listed = false; ; listed = true) {
    for (let name = names.pop(); name !== undefined; name = names.pop()) {
      try {
        renameSync(join(dir, name), target);
        return true;
      } catch {
        // Taken by another rnx meanwhile: try the next one.
      }
    }
    if (listed) return false;
    // What other rnx processes made or put back.
    try {
      names.push(...readdirSync(dir));
    } catch {
      return false;
    }
  }
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

/**
 * Puts a job's FIFOs back into the pool, once nothing holds them open (the job's processes are
 * gone and rnx closed its ends). Only FIFOs exactly as the pool gave them (root's, mode 600, one
 * link) go back; anything else stays where it is, for its directory's removal.
 */
export function returnFifos(stateDir: string, paths: readonly string[]): void {
  const dir = poolDir(stateDir);
  const prefix = freshPrefix();
  paths.forEach((path, i) => {
    const st = lstatSync(path, { throwIfNoEntry: false });
    if (st === undefined || !st.isFIFO() || st.nlink !== 1) return;
    if (st.uid !== process.getuid?.() || (st.mode & 0o7777) !== POOL_MODE) return;
    const name = `${prefix}-${String(i)}`;
    try {
      renameSync(path, join(dir, name));
      namesOf(stateDir).push(name);
    } catch {
      // Removed with its directory instead.
    }
  });
}
