/**
 * The end of every job, however it ended: make sure no process is left, remove the cgroup, the
 * network wiring and lease, and the run directory, then write the final record. Nothing a job held
 * outlives it.
 */
import type { Problem } from '../../problem.js';
import type { Database } from '../../state/database.js';
import { jobPids, removeJobCgroup } from '../cgroups/procs.js';
import type { JobCgroup } from '../cgroups/job-cgroup.js';
import { releaseJobFilesystem } from '../filesystem/job-filesystem.js';
import { removeJobFiles, retireRunDir } from '../filesystem/job-files.js';
import { classify, type Observed } from './outcome.js';
import type { JobProcess } from '../start/job-process.js';
import type { EndReason, JobResult, JobSpec } from '../job-spec.js';
import { readJobMetrics } from '../cgroups/metrics.js';
import { finishJob, getJob, recordUsage, type Usage } from '../records/job-store.js';
import { releaseNetwork, type PreparedNetwork } from '../start/network-phase.js';
import { refreshNetworkNames } from '../filesystem/network-names.js';
import { killNow } from './stop-job.js';

/** A job that ended before its command ran, or because rnx could not run it. */
export interface Failure {
  readonly reason: EndReason;
  readonly message?: string;
  readonly problem?: Problem;
}

/** How long a killed job's start process may take to be gone before rnx stops waiting for it. */
const REAP_BOUND_MS = 5000;

function within<T>(promise: Promise<T>, ms: number): Promise<T | 'late'> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), ms)));
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

/**
 * Waits for the job's process to end; kills it (bwrap and PID 1) if it lingers. Every wait is
 * bounded: a start process that is still there after its kill is said (a leftover), never waited
 * for without end.
 */
export async function reap(proc: JobProcess): Promise<string | undefined> {
  // A detached job that failed to start (or whose start was given up): its supervisor would only
  // wait for this rnx to let go. The whole group goes at once: supervisor, relay, bwrap, PID 1.
  if (proc.supervisorPid !== undefined) proc.kill();
  else if ((await within(proc.exited, 2000)) !== 'late') return undefined;
  else proc.kill();
  if ((await within(proc.exited, REAP_BOUND_MS)) !== 'late') return undefined;
  return `its start process did not end within ${String(REAP_BOUND_MS / 1000)}s of SIGKILL`;
}

/** Reads what the job used and kills whatever is left in its cgroups (which stay). */
export async function emptyCgroup(cgroup: JobCgroup): Promise<ReturnType<typeof readJobMetrics>> {
  const usage = readJobMetrics(cgroup);
  if (jobPids(cgroup).length > 0) await killNow({ cgroup });
  return usage;
}

/** What an ended job leaves to remove once its end is recorded (records/job-store.ts `held`). */
export interface AfterEnd {
  cgroup?: JobCgroup;
  runDir?: string;
  /**
   * The run directory may serve another job (job-files.ts `retireRunDir`), and these FIFOs of it
   * go back to the state directory's pool (fifo-pool.ts): nothing holds them any more.
   */
  reuse?: { readonly stateDir: string; readonly fifos: readonly string[] };
  /** State directory under which the job's filesystem (workspace, volume uses) was prepared. */
  filesystem?: string;
}

/** What a job whose end is not recorded yet held, as the records know it (orphans.ts, detach/). */
export interface Held extends AfterEnd {
  prepared?: PreparedNetwork;
}

/**
 * Steps of a release that all run, whatever an earlier one did: a cgroup that cannot be removed
 * does not keep the run directory, and a record that cannot be written (a full state directory)
 * does not keep anything else held. What could not be undone is collected (said in the job's
 * record); the first thrown error is thrown once every step has run, so that the record stays
 * as it was (active, or held) and the next rnx finishes it (orphans.ts).
 */
class Steps {
  readonly problems: string[] = [];
  private fault: Error | undefined;

  async run(work: () => Promise<string | undefined | void> | string | undefined | void) {
    try {
      const problem = await work();
      if (typeof problem === 'string') this.problems.push(problem);
    } catch (error) {
      this.fault ??= error instanceof Error ? error : new Error(String(error));
    }
  }

  done(): string[] {
    if (this.fault !== undefined) throw this.fault;
    return this.problems;
  }
}

/**
 * Releases everything a job held whose end is not recorded yet: what it used is read and recorded
 * and whatever is left in its cgroups killed, then its network wiring and lease go, then its
 * directories (as `removeAfterEnd`). Returns what could not be released.
 */
export async function releaseHeld(db: Database, jobId: string, held: Held): Promise<string[]> {
  const steps = new Steps();
  const { cgroup } = held;
  if (cgroup !== undefined) {
    await steps.run(async () => recordUsage(db, jobId, await emptyCgroup(cgroup)));
  }
  await steps.run(() => releaseNetwork(db, jobId, held.prepared?.hostVeth));
  await removeDirectories(db, jobId, held, steps);
  return steps.done();
}

/**
 * Removes the directories of a job whose end is recorded and whose processes are gone: its cgroups,
 * its run directory, its job filesystem. Returns what could not be removed.
 */
export async function removeAfterEnd(
  db: Database,
  jobId: string,
  held: AfterEnd,
): Promise<string[]> {
  const steps = new Steps();
  await removeDirectories(db, jobId, held, steps);
  return steps.done();
}

async function removeDirectories(
  db: Database,
  jobId: string,
  held: AfterEnd,
  steps: Steps,
): Promise<void> {
  const { cgroup, runDir, reuse, filesystem } = held;
  if (cgroup !== undefined) {
    await steps.run(async () => {
      const removed = await removeJobCgroup(cgroup);
      return removed.ok ? undefined : removed.problem.message;
    });
  }
  if (runDir !== undefined) {
    await steps.run(() =>
      reuse === undefined
        ? removeJobFiles(runDir)
        : retireRunDir(reuse.stateDir, runDir, reuse.fifos),
    );
  }
  if (filesystem !== undefined) {
    await steps.run(async () => {
      const released = await releaseJobFilesystem(db, filesystem, jobId);
      return released.ok ? undefined : released.problem.message;
    });
  }
}

/**
 * Writes the job's final record, once everything it held is released (`leftovers`: what was not),
 * or with `held` when its directories are removed after (removeAfterEnd, then releasedJob).
 */
export function finishRun(
  db: Database,
  spec: JobSpec,
  leftovers: readonly string[],
  outcome: Observed | Failure,
  extra: { startedAt?: string; note?: string; held?: boolean; usage?: Usage },
): JobResult {
  const result =
    'reason' in outcome
      ? {
          status: outcome.reason === 'stopped' ? ('STOPPED' as const) : ('FAILED' as const),
          reason: outcome.reason,
          exitCode: null,
          signal: null,
          message: outcome.message ?? outcome.problem?.message,
        }
      : classify(outcome);
  const endedAt = new Date().toISOString();
  const message =
    [result.message, ...leftovers, extra.note].filter(Boolean).join('; ') || undefined;
  finishJob(
    db,
    spec.id,
    {
      ...result,
      endedAt,
      ...(message === undefined ? {} : { message }),
      ...(extra.usage === undefined ? {} : { usage: extra.usage }),
    },
    extra.held ?? false,
  );
  // Its name goes away from the other running jobs' hosts files of its network.
  if (spec.name !== undefined) refreshNetworkNames(db, spec.network);
  const record = getJob(db, spec.id);
  const address = record?.address ?? undefined;
  // What it used: written by finishJob just now, or when its cgroups were emptied (emptyCgroup).
  const usage = {
    cpuUsec: record?.cpuUsec ?? undefined,
    memoryPeakBytes: record?.memoryPeakBytes ?? undefined,
  };
  return {
    id: spec.id,
    ...(spec.name === undefined ? {} : { name: spec.name }),
    status: result.status,
    reason: result.reason,
    exitCode: result.exitCode,
    ...(usage.cpuUsec === undefined ? {} : { cpuUsec: usage.cpuUsec }),
    ...(usage.memoryPeakBytes === undefined ? {} : { memoryPeakBytes: usage.memoryPeakBytes }),
    signal: result.signal,
    network: spec.network,
    ...(address === undefined ? {} : { address }),
    ...(extra.startedAt === undefined ? {} : { startedAt: extra.startedAt }),
    endedAt,
    ...(message === undefined ? {} : { message }),
    ...('problem' in outcome && outcome.problem !== undefined ? { problem: outcome.problem } : {}),
  };
}
