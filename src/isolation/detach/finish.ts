/**
 * The end of a detached job, run once by its supervisor (which becomes rnx for this): from the
 * status of the job's start process, record how the job ended (exit code, signal, stop request,
 * OOM kills) and release everything it held, exactly as a job in the foreground ends (run-end.ts).
 * Only the job's owner does it: if a later rnx took the job over (the supervisor was thought
 * dead) or the start failed (the rnx that started it recorded that), there is nothing to do.
 */
import { exitFromStatus } from '../start/job-process.js';
import type { Database } from '../../state/database.js';
import { oomKills } from '../cgroups/job-cgroup.js';
import { finishRun, releaseHeld } from '../end/run-end.js';
import type { JobSpec } from '../job-spec.js';
import { nextEnd, removeEndFifo } from '../records/end-signal.js';
import { claimJob, getJob, type JobRecord } from '../records/job-store.js';
import { isAlive, selfIdentity } from '../records/proc-identity.js';
import { ABANDONED } from './supervisor.js';

const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The job once this process owns it. A job that ends at once may end before the rnx that started
 * it has handed it over: wait for that rnx to let go (woken by its end), then it is ours, or that
 * rnx recorded a failed start (inactive: nothing to do), or it was killed (take the job over).
 */
async function ownIt(db: Database, stateDir: string, id: string): Promise<JobRecord | undefined> {
  for (;;) {
    const job = getJob(db, id);
    if (job === undefined || !job.active) return undefined;
    if (job.owner.pid === process.pid) return job;
    if (isAlive(job.owner)) {
      if ((await nextEnd(stateDir, id, { notFifo: true })) === 'none') await pause(20);
    } else if (claimJob(db, id, job.owner, selfIdentity())) {
      return getJob(db, id);
    }
  }
}

/**
 * `status`: bwrap's exit status as the supervisor got it (the same number a foreground job's
 * status fd has), or `abandoned`: the rnx that started the job was gone before its go, and the
 * supervisor's relay killed the start (the command never ran).
 */
export async function finishDetachedJob(
  db: Database,
  stateDir: string,
  id: string,
  status: number | typeof ABANDONED,
): Promise<void> {
  const job = await ownIt(db, stateDir, id);
  if (job === undefined) return;
  const spec: JobSpec = {
    id: job.id,
    ...(job.name === null ? {} : { name: job.name }),
    command: job.command[0] ?? '',
    args: job.command.slice(1),
    env: {},
    secretEnv: {},
    network: job.network,
    resources: job.resources,
  };
  const leftovers = await releaseHeld(db, job.id, {
    ...(job.cgroup === null ? {} : { cgroup: job.cgroup }),
    ...(job.veth === null ? {} : { prepared: { attached: true, hostVeth: job.veth } }),
    ...(job.runDir === null ? {} : { runDir: job.runDir }),
    filesystem: stateDir,
  });
  const cause = job.endCause;
  finishRun(
    db,
    spec,
    leftovers,
    status === ABANDONED
      ? {
          reason: 'start-failed',
          message: `the rnx that started it (pid ${String(job.owner.pid)}) ended before the job's go: its command never ran`,
        }
      : {
          ...exitFromStatus(status),
          timedOut: cause?.kind === 'timeout',
          ...(cause?.kind === 'not-ready' ? { notReady: cause.detail } : {}),
          stopRequested: job.stopRequestedAt !== null,
          oomKills: job.cgroup === null ? 0 : oomKills(job.cgroup),
        },
    job.startedAt === null ? {} : { startedAt: job.startedAt },
  );
  removeEndFifo(stateDir, id);
}
