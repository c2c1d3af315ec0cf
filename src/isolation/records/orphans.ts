/**
 * Cleaning up after an rnx that was killed (SIGKILL, power loss of the terminal...). A job whose
 * owning rnx process (pid + start time) no longer exists is taken over by the caller, and
 * everything it held is removed: its processes (through its cgroup, and a bwrap that never joined
 * it: stray-processes.ts), cgroups, network wiring and lease, run directory. Its record ends
 * FAILED with reason `orphaned`. Mounts need no work: they live only in the job's mount
 * namespace, which ends with its last process.
 *
 * Every rnx command asks `orphanCandidates` first (one indexed query, in a small module of its own,
 * so that a command loads this one only when something was left over).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Database } from '../../state/database.js';
import { cgroupLayout, V1_CONTROLLERS } from '../cgroups/layout.js';
import { cgroupName, type JobCgroup } from '../cgroups/job-cgroup.js';
import { runDirOf } from '../filesystem/job-files.js';
import type { EndReason, JobStatus } from '../job-spec.js';
import { claimJob, finishJob, getJob, releasedJob, type JobRecord } from './job-store.js';
import { orphanCandidates } from './orphan-candidates.js';
import { removeEndFifo } from './end-signal.js';
import { refreshNetworkNames } from '../filesystem/network-names.js';
import { selfIdentity } from './proc-identity.js';
import { killStrayProcesses } from './stray-processes.js';
import { releaseHeld, removeAfterEnd } from '../end/run-end.js';

/** cgroup directories that a job of this id may have, found by name (when none was recorded). */
function cgroupByName(jobId: string): JobCgroup | undefined {
  const layout = cgroupLayout();
  const owns = [...V1_CONTROLLERS.map((c) => layout.v1[c]), layout.unified];
  const dirs = owns
    .filter((d): d is string => d !== undefined)
    .map((d) => join(d, cgroupName(jobId)))
    .filter((d, i, all) => all.indexOf(d) === i && existsSync(d));
  const track = dirs.find((d) => d.includes('/pids/')) ?? dirs[0];
  if (track === undefined) return undefined;
  return { version: layout.version, dirs, procsFiles: [], trackDir: track };
}

export interface CleanedUp {
  readonly id: string;
  readonly problems: readonly string[];
}

/** Removes what a job held and closes its record; the caller must own the job (claimJob). */
export async function cleanUpJob(
  db: Database,
  job: JobRecord,
  end: { status: JobStatus; reason: EndReason; message: string },
): Promise<CleanedUp> {
  const cgroup = job.cgroup ?? cgroupByName(job.id);
  const runDir = job.runDir ?? runDirOf(dirOfLog(job.logPath), job.id);
  const held = {
    ...(cgroup === undefined ? {} : { cgroup }),
    runDir,
    filesystem: dirOfLog(job.logPath),
  };
  if (!job.active) {
    // Its end is recorded; its rnx was killed while removing its directories: finish that.
    const left = await removeAfterEnd(db, job.id, held);
    releasedJob(db, job.id, left);
    return { id: job.id, problems: left };
  }
  // What never joined the cgroup first (the cgroup's own are killed through it).
  await killStrayProcesses(runDir);
  const problems = await releaseHeld(db, job.id, {
    ...held,
    ...(job.veth === null ? {} : { prepared: { attached: true, hostVeth: job.veth } }),
  });
  finishJob(db, job.id, {
    status: end.status,
    reason: end.reason,
    exitCode: job.exitCode,
    signal: job.signal,
    message: [end.message, ...problems].join('; '),
    endedAt: new Date().toISOString(),
  });
  if (job.name !== null) refreshNetworkNames(db, job.network);
  removeEndFifo(dirOfLog(job.logPath), job.id);
  return { id: job.id, problems };
}

function dirOfLog(logPath: string): string {
  return join(logPath, '..', '..');
}

/** Finds jobs whose rnx is gone and removes what they left. Returns the ids cleaned up. */
export async function cleanUpOrphanedJobs(db: Database): Promise<CleanedUp[]> {
  const candidates = orphanCandidates(db);
  if (candidates.length === 0) return [];
  const self = selfIdentity();
  const cleaned: CleanedUp[] = [];
  for (const { id, owner } of candidates) {
    if (!claimJob(db, id, owner, self)) continue;
    const job = getJob(db, id);
    if (job === undefined) continue;
    cleaned.push(
      await cleanUpJob(db, job, {
        status: 'FAILED',
        reason: 'orphaned',
        message: `the rnx process that ran this job (pid ${String(owner.pid)}) was killed; a later rnx removed what it left`,
      }),
    );
  }
  return cleaned;
}
