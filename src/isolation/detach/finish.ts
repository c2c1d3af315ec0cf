/**
 * The end of a detached job, run once by its supervisor (which becomes rnx for this): from the
 * status of the job's start process, record how the job ended (exit code, signal, stop request,
 * OOM kills) and release everything it held, exactly as a job in the foreground ends (run-end.ts).
 * Only the job's owner does it: if a later rnx took the job over (the supervisor was thought
 * dead) or the start failed (the rnx that started it recorded that), there is nothing to do.
 */
import { closeSync, ftruncateSync, openSync, readSync, fstatSync } from 'node:fs';
import { constants } from 'node:os';
import type { Database } from '../../state/database.js';
import { oomKills } from '../cgroups/job-cgroup.js';
import { finishRun } from '../end/run-end.js';
import type { Observed } from '../end/outcome.js';
import type { JobSpec } from '../job-spec.js';
import { nextEnd, removeEndFifo } from '../records/end-signal.js';
import { claimJob, getJob, type JobRecord } from '../records/job-store.js';
import { isAlive, selfIdentity } from '../records/proc-identity.js';
import { UNSHARE_SIGKILL } from '../start/job-process.js';

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

/** The signal name for a number (`9` → `SIGKILL`). */
function signalName(n: number): string | null {
  const found = Object.entries(constants.signals).find(([, v]) => v === n);
  return found === undefined ? null : found[0];
}

/**
 * Whether the log ends with the start process's own "its child was SIGKILLed" line (see
 * job-process.ts); the line is cut off the log when it does.
 */
function endsWithSigkillLine(logPath: string): boolean {
  let fd: number;
  try {
    fd = openSync(logPath, 'r+');
  } catch {
    return false;
  }
  try {
    const size = fstatSync(fd).size;
    if (size < UNSHARE_SIGKILL.length) return false;
    const tail = Buffer.alloc(UNSHARE_SIGKILL.length);
    readSync(fd, tail, 0, tail.length, size - tail.length);
    if (!tail.equals(UNSHARE_SIGKILL)) return false;
    ftruncateSync(fd, size - tail.length);
    return true;
  } finally {
    closeSync(fd);
  }
}

/** The job's exit as a shell sees it: a code, or 128 + the number of the signal that ended it. */
export function exitFromStatus(status: number, sigkillLine: () => boolean): Observed {
  const base = { stopRequested: false, timedOut: false, oomKills: 0 };
  if (status === 1 && sigkillLine()) return { ...base, code: null, signal: 'SIGKILL' };
  if (status > 128 && status < 128 + 65) {
    const signal = signalName(status - 128);
    if (signal !== null) return { ...base, code: null, signal };
  }
  return { ...base, code: status, signal: null };
}

export async function finishDetachedJob(
  db: Database,
  stateDir: string,
  id: string,
  status: number,
): Promise<void> {
  const job = await ownIt(db, stateDir, id);
  if (job === undefined) return;
  const exit = exitFromStatus(status, () => endsWithSigkillLine(job.logPath));
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
  await finishRun(
    db,
    spec,
    {
      ...(job.cgroup === null ? {} : { cgroup: job.cgroup }),
      ...(job.veth === null ? {} : { prepared: { attached: true, hostVeth: job.veth } }),
      ...(job.runDir === null ? {} : { runDir: job.runDir }),
      filesystem: stateDir,
    },
    {
      ...exit,
      stopRequested: job.stopRequestedAt !== null,
      oomKills: job.cgroup === null ? 0 : oomKills(job.cgroup),
    },
    job.startedAt === null ? {} : { startedAt: job.startedAt },
  );
  removeEndFifo(stateDir, id);
}
