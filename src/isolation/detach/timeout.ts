/**
 * A detached job's timeout, run by its supervisor's timer (the relay, which becomes rnx once the
 * timeout has passed since the go): says in the record that the job timed out, then stops it as
 * every timeout does (its stop signal, its grace, SIGKILL) until no process of it is left. Its
 * supervisor waits for this before it records the end (FAILED, reason timeout, exit 124:
 * finish.ts reads the cause), so this must not wait for that record.
 */
import type { Database } from '../../state/database.js';
import { stopJob } from '../end/stop-job.js';
import { getJob, setEndCause } from '../records/job-store.js';
import { isAlive } from '../records/proc-identity.js';

export async function timeOutDetachedJob(db: Database, id: string): Promise<void> {
  const job = getJob(db, id);
  if (job === undefined || !job.active || job.cgroup === null) return;
  // Another cause first (its probe failed), or a stop asked for: that one ends it.
  if (job.stopRequestedAt !== null || !setEndCause(db, id, { kind: 'timeout' })) return;
  const initPid = job.init !== null && isAlive(job.init) ? job.init.pid : undefined;
  await stopJob(
    { cgroup: job.cgroup, ...(initPid === undefined ? {} : { initPid }) },
    job.stopGraceMs,
    undefined,
    job.stopSignal,
  );
}
