/** How job records are shown: the JSON shape of `job list/status --json`, and table cells. */
import { shellExitCode } from '../../isolation/end/outcome.js';
import type { JobRecord } from '../../isolation/records/job-store.js';
import { formatBytes } from '../../units.js';

export function jobJson(job: JobRecord): Record<string, unknown> {
  return {
    id: job.id,
    name: job.name,
    status: job.status,
    exitCode: job.exitCode,
    signal: job.signal,
    reason: job.reason,
    message: job.message,
    command: job.command,
    env: job.envNames,
    secretEnv: job.secretNames,
    network: job.network,
    address: job.address,
    resources: job.resources,
    workflowRunId: job.workflowRunId,
    createdAt: job.createdAt,
    startedAt: job.startedAt,
    readyAt: job.readyAt,
    endedAt: job.endedAt,
    stopSignal: job.stopSignal,
    stopGraceMs: job.stopGraceMs,
    user: job.runAs,
    pid: job.init?.pid ?? null,
    cpuSeconds: job.cpuUsec === null ? null : job.cpuUsec / 1e6,
    memoryPeakBytes: job.memoryPeakBytes,
    log: job.logPath,
  };
}

export function durationText(job: JobRecord, now = Date.now()): string {
  if (job.startedAt === null) return '-';
  const end = job.endedAt === null ? now : Date.parse(job.endedAt);
  const ms = Math.max(0, end - Date.parse(job.startedAt));
  if (ms < 1000) return `${String(ms)}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  const minutes = Math.floor(ms / 60_000);
  return `${String(minutes)}m${String(Math.round((ms % 60_000) / 1000)).padStart(2, '0')}s`;
}

/** `postgres (uid 101, gid 104, groups 104,103)`, or `root`. */
export function userText(job: JobRecord): string {
  const as = job.runAs;
  if (as === null) return 'root';
  return `${as.user} (uid ${String(as.uid)}, gid ${String(as.gid)}, groups ${as.groups.join(',')})`;
}

/** `2026-...Z (0.84s after the start)`. */
export function readyText(job: JobRecord): string {
  if (job.readyAt === null) return '-';
  if (job.startedAt === null) return job.readyAt;
  const ms = Math.max(0, Date.parse(job.readyAt) - Date.parse(job.startedAt));
  return `${job.readyAt} (${(ms / 1000).toFixed(2)}s after the start)`;
}

export function exitText(job: JobRecord): string {
  if (job.exitCode === null && job.signal === null) return '-';
  const code = shellExitCode(job.exitCode, job.signal);
  return job.signal === null ? String(code) : `${String(code)} (${job.signal})`;
}

/** A command line for a table: quoted where needed, cut to `width`. */
export function commandText(job: JobRecord, width = 40): string {
  const text = job.command
    .map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : JSON.stringify(a)))
    .join(' ');
  return text.length > width ? `${text.slice(0, width - 1)}…` : text;
}

/** CPU time for people: `0.52s`, `3m12s`. */
export function cpuText(usec: number | null | undefined): string {
  if (usec === null || usec === undefined) return '-';
  const seconds = usec / 1e6;
  if (seconds < 60) return `${seconds.toFixed(2)}s`;
  return `${String(Math.floor(seconds / 60))}m${String(Math.round(seconds % 60)).padStart(2, '0')}s`;
}

export function bytesText(bytes: number | null | undefined): string {
  return bytes === null || bytes === undefined ? '-' : formatBytes(bytes);
}
