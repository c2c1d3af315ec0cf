/**
 * Waiting for and stopping a workflow run from another rnx process: `rnx workflow wait` and
 * `rnx workflow stop`. The rnx process that runs a workflow holds the run's end while it runs (the
 * CLI wires that in); waiters are woken by it, never by polling. Stopping is what Ctrl-C does:
 * SIGINT to the run's rnx process (its pid and start time, so a stranger that reused the pid is
 * never signalled), which stops the jobs, cancels the pending ones and records the run CANCELED.
 * The outside world comes in through RunControlPorts.
 */
import type { Database } from '../state/database.js';
import { findRun, reconcileRuns, type RunOwner, type RunRow } from './records.js';

export interface RunControlPorts {
  readonly isAlive: (owner: RunOwner) => boolean;
  /** Resolves when the run's owner lets go of its end (`woke`), or at once when none holds it. */
  readonly nextEnd: (runId: string, abort?: AbortSignal) => Promise<'woke' | 'none'>;
  /** Sends SIGINT to the owner; false when it is gone. */
  readonly interrupt: (owner: RunOwner) => boolean;
}

/** Between two moments (a run being recorded, its end being held), nobody holds it. */
const HANDOVER_MS = 20;

const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function ownerOf(db: Database, runId: string): RunOwner | undefined {
  const row = db
    .prepare('SELECT pid, pid_start AS startTime FROM workflow_runs WHERE id = ?')
    .get(runId) as { pid: number; startTime: number } | undefined;
  return row;
}

/** The run once it has ended (at once if it has); undefined if there is no such run. */
export async function waitForRunEnd(
  db: Database,
  runId: string,
  ports: RunControlPorts,
  abort?: AbortSignal,
): Promise<RunRow | undefined> {
  for (;;) {
    reconcileRuns(db, ports.isAlive);
    const run = findRun(db, runId);
    if (run === undefined || run.status !== 'RUNNING' || abort?.aborted === true) return run;
    const woke = await Promise.race([
      ports.nextEnd(run.id, abort),
      ...(abort === undefined
        ? []
        : [new Promise<'aborted'>((r) => abort.addEventListener('abort', () => r('aborted')))]),
    ]);
    if (woke === 'none') await pause(HANDOVER_MS);
  }
}

export type StopRun =
  | { readonly kind: 'stopped'; readonly run: RunRow }
  | { readonly kind: 'not-running'; readonly run: RunRow }
  | { readonly kind: 'not-found' };

/** Stops a running run as Ctrl-C would, and returns it once it has ended. */
export async function stopRun(
  db: Database,
  runId: string,
  ports: RunControlPorts,
): Promise<StopRun> {
  reconcileRuns(db, ports.isAlive);
  const run = findRun(db, runId);
  if (run === undefined) return { kind: 'not-found' };
  if (run.status !== 'RUNNING') return { kind: 'not-running', run };
  const owner = ownerOf(db, run.id);
  if (owner !== undefined) ports.interrupt(owner);
  const ended = await waitForRunEnd(db, run.id, ports);
  return ended === undefined ? { kind: 'not-found' } : { kind: 'stopped', run: ended };
}
