/**
 * `rnx job stop` below the CLI: stop a job from any rnx process and return its final record.
 * Records the request, signals the job through its cgroup (its stop signal, the grace period, SIGKILL:
 * stop-job.ts), then waits for its owner to record the end, woken by the end itself
 * (records/wait-end.ts). A job whose owner is gone is cleaned up here, ending STOPPED.
 */
import type { Database } from '../../state/database.js';
import { claimJob, requestStop, type JobRecord } from '../records/job-store.js';
import { cleanUpJob } from '../records/orphans.js';
import { isAlive, selfIdentity } from '../records/proc-identity.js';
import { waitForJobEnd } from '../records/wait-end.js';
import { stopJob } from './stop-job.js';

export async function stopRunningJob(
  db: Database,
  stateDir: string,
  job: JobRecord,
  graceMs: number,
): Promise<JobRecord | undefined> {
  requestStop(db, job.id, new Date().toISOString());
  if (!isAlive(job.owner)) {
    if (claimJob(db, job.id, job.owner, selfIdentity())) {
      await cleanUpJob(db, job, {
        status: 'STOPPED',
        reason: 'stopped',
        message: 'stopped; the rnx that ran it was gone',
      });
    }
  } else if (job.cgroup !== null) {
    const initPid = job.init !== null && isAlive(job.init) ? job.init.pid : undefined;
    const ended = waitForJobEnd(db, stateDir, job.id);
    await stopJob(
      { cgroup: job.cgroup, ...(initPid === undefined ? {} : { initPid }) },
      graceMs,
      ended,
      job.stopSignal,
    );
    return ended;
  }
  return waitForJobEnd(db, stateDir, job.id);
}
