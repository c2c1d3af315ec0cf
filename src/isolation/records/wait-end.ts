/**
 * Waiting for a job to end, from any rnx process: woken by the end itself (end-signal.ts), never by
 * polling the database. When the owner was killed instead of finishing (its end let go but the
 * record is still active), the waiter cleans up after it, as any rnx command would, and returns
 * the record then closed.
 */
import type { Database } from '../../state/database.js';
import { nextEnd } from './end-signal.js';
import { getJob, type JobRecord } from './job-store.js';
import { cleanUpOrphanedJobs } from './orphans.js';
import { isAlive } from './proc-identity.js';

/** Between two owners (a detached job's start handing over to its supervisor), nobody holds it. */
const HANDOVER_MS = 20;

const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** The job's final record once it has ended (at once if it has); undefined if there is no such job. */
export async function waitForJobEnd(
  db: Database,
  stateDir: string,
  id: string,
  abort?: AbortSignal,
): Promise<JobRecord | undefined> {
  for (;;) {
    const job = getJob(db, id);
    if (job === undefined || !job.active || abort?.aborted === true) return job;
    if (!isAlive(job.owner)) {
      await cleanUpOrphanedJobs(db);
      continue;
    }
    const woke = await Promise.race([
      nextEnd(stateDir, id, abort === undefined ? {} : { abort }),
      ...(abort === undefined
        ? []
        : [new Promise<'aborted'>((r) => abort.addEventListener('abort', () => r('aborted')))]),
    ]);
    if (woke === 'none') await pause(HANDOVER_MS);
  }
}
