/**
 * `rnx job run -d --ready=...`: the rnx that started a detached job (already handed to its
 * supervisor, which records its end whatever happens) runs the job's readiness probe before it
 * returns. Ready: the job runs on (RUNNING, ready time recorded). Not ready in time: the job is
 * ended as a foreground job would be, its cause recorded first (not-ready, with the last probe's
 * answer), then its stop signal, grace and SIGKILL; its supervisor records it FAILED, reason
 * not-ready. A job that ends before it is ready, or a start given up (Ctrl-C: the job is stopped),
 * is returned as recorded. Every wait is woken by the event itself: the probe, the job's end (its
 * supervisor letting go of its end FIFO), the log growing (inotify), the caller's abort.
 */
import type { Database } from '../../state/database.js';
import type { JobCgroup } from '../cgroups/job-cgroup.js';
import { unifiedDirOf, whenEmpty } from '../cgroups/events.js';
import { jobPids } from '../cgroups/procs.js';
import { stopJob } from '../end/stop-job.js';
import { followLog } from '../readiness/log-follower.js';
import type { JobReadiness, ReadyInfo } from '../readiness/job-readiness.js';
import type { JobResult } from '../job-spec.js';
import type { AsTheJob } from '../start/final-exec.js';
import { requestStop, setEndCause, type JobRecord } from '../records/job-store.js';
import { waitForJobEnd } from '../records/wait-end.js';

export interface DetachedJob {
  readonly id: string;
  /** Host pid of its PID 1. */
  readonly pid: number;
  readonly env: Readonly<Record<string, string>>;
  /** Its final step, which the exec probe goes through too. */
  readonly as: AsTheJob;
  /** The sandbox program that started it. */
  readonly sandbox: string;
  readonly cgroup: JobCgroup;
  readonly logPath: string;
  readonly stopSignal?: NodeJS.Signals;
  readonly graceMs: number;
}

export type DetachedReadiness =
  | { readonly kind: 'ready'; readonly info: ReadyInfo }
  /** It ended (before it was ready, not ready in time, or stopped on the caller's abort). */
  | { readonly kind: 'ended'; readonly record: JobRecord | undefined };

export async function awaitDetachedReady(
  db: Database,
  stateDir: string,
  job: DetachedJob,
  readiness: JobReadiness,
  signal?: AbortSignal,
): Promise<DetachedReadiness> {
  const waiting = new AbortController();
  const ended = waitForJobEnd(db, stateDir, job.id, waiting.signal);
  // The kernel says first when the job's processes are gone (its record comes a moment later).
  const unified = unifiedDirOf(job.cgroup);
  const empty = unified === undefined ? undefined : whenEmpty(unified);
  const log = followLog(job.logPath, (chunk) => readiness.output('stdout', chunk));
  try {
    const outcome = await new Promise<
      { kind: 'ready'; info: ReadyInfo } | { kind: 'not-ready' } | { kind: 'ended' | 'aborted' }
    >((resolve) => {
      readiness.stopSignal.addEventListener('abort', () => resolve({ kind: 'not-ready' }), {
        once: true,
      });
      signal?.addEventListener('abort', () => resolve({ kind: 'aborted' }), { once: true });
      if (signal?.aborted === true) resolve({ kind: 'aborted' });
      void ended.then(() => resolve({ kind: 'ended' }));
      void empty?.empty.then(() => resolve({ kind: 'ended' }));
      readiness.start(
        db,
        job.id,
        {
          pid: job.pid,
          env: job.env,
          as: job.as,
          cgroupProcs: job.cgroup.procsFiles,
          sandbox: job.sandbox,
        },
        (info) => resolve({ kind: 'ready', info }),
      );
    });
    readiness.cancel();
    if (outcome.kind === 'ready') return outcome;
    // A probe that failed because the job had ended (nsenter finds no namespace): it ended.
    const over = outcome.kind === 'not-ready' && jobPids(job.cgroup).length === 0;
    if (over) {
      // Recorded by its supervisor.
    } else if (outcome.kind === 'not-ready') {
      setEndCause(db, job.id, { kind: 'not-ready', detail: readiness.notReady ?? 'not ready' });
    } else if (outcome.kind === 'aborted') {
      requestStop(db, job.id, new Date().toISOString());
    }
    if (outcome.kind !== 'ended' && !over) {
      await stopJob({ cgroup: job.cgroup, initPid: job.pid }, job.graceMs, ended, job.stopSignal);
    }
    return { kind: 'ended', record: await ended };
  } finally {
    empty?.close();
    log.close();
    readiness.cancel();
    waiting.abort();
  }
}

/** A job's final record as the runner's result. */
export function resultOfRecord(record: JobRecord): JobResult {
  return {
    id: record.id,
    ...(record.name === null ? {} : { name: record.name }),
    status: record.status,
    reason: record.reason ?? 'exit',
    exitCode: record.exitCode,
    signal: record.signal,
    network: record.network,
    ...(record.address === null ? {} : { address: record.address }),
    ...(record.startedAt === null ? {} : { startedAt: record.startedAt }),
    endedAt: record.endedAt ?? '',
    ...(record.message === null ? {} : { message: record.message }),
    ...(record.cpuUsec === null ? {} : { cpuUsec: record.cpuUsec }),
    ...(record.memoryPeakBytes === null ? {} : { memoryPeakBytes: record.memoryPeakBytes }),
  };
}
