/**
 * A job record as the rest of rnx sees it, and how it is read from a row of the jobs table
 * (migration 3): JSON columns parsed, pid + start time pairs joined.
 */
import type { Resources } from '../../validate/model.js';
import type { JobCgroup } from '../cgroups/job-cgroup.js';
import type { EndReason, JobStatus } from '../job-spec.js';
import type { ProcessIdentity } from './proc-identity.js';

export interface JobRecord {
  readonly id: string;
  readonly name: string | null;
  readonly workflowRunId: string | null;
  readonly command: readonly string[];
  readonly envNames: readonly string[];
  readonly secretNames: readonly string[];
  readonly network: string;
  readonly address: string | null;
  readonly resources: Resources;
  readonly status: JobStatus;
  readonly reason: EndReason | null;
  readonly message: string | null;
  readonly exitCode: number | null;
  readonly signal: string | null;
  readonly createdAt: string;
  readonly startedAt: string | null;
  readonly endedAt: string | null;
  readonly owner: ProcessIdentity;
  readonly init: ProcessIdentity | null;
  readonly cgroup: JobCgroup | null;
  readonly veth: string | null;
  readonly runDir: string | null;
  readonly logPath: string;
  readonly stopRequestedAt: string | null;
  readonly active: boolean;
  /** Ended, but its cgroup, run directory or job filesystem is still being removed. */
  readonly held: boolean;
  readonly stopSignal: NodeJS.Signals;
  readonly stopGraceMs: number;
  /** When its readiness probe passed (jobs with a probe only). */
  readonly readyAt: string | null;
  /** CPU time it used, in microseconds (recorded when it ended). */
  readonly cpuUsec: number | null;
  /** Its peak memory in bytes (recorded when it ended). */
  readonly memoryPeakBytes: number | null;
  /** Why rnx is ending it (a detached job's timeout or failed probe), before its end is recorded. */
  readonly endCause: EndCause | null;
  /** Who it runs as (`user:` / `--user`, resolved); null: root. */
  readonly runAs: RunAs | null;
}

export interface RunAs {
  /** As written: NAME, UID, NAME:GROUP or UID:GID. */
  readonly user: string;
  readonly uid: number;
  readonly gid: number;
  readonly groups: readonly number[];
}

export type EndCause =
  { readonly kind: 'timeout' } | { readonly kind: 'not-ready'; readonly detail: string };

export interface Row {
  id: string;
  name: string | null;
  workflow_run_id: string | null;
  command: string;
  env_names: string;
  secret_names: string;
  network: string;
  address: string | null;
  resources: string;
  status: string;
  reason: string | null;
  message: string | null;
  exit_code: number | null;
  signal: string | null;
  created_at: string;
  started_at: string | null;
  ended_at: string | null;
  owner_pid: number;
  owner_start: number;
  init_pid: number | null;
  init_start: number | null;
  cgroup: string | null;
  veth: string | null;
  run_dir: string | null;
  log_path: string;
  stop_requested_at: string | null;
  active: number;
  held?: number;
  stop_signal: string;
  stop_grace_ms: number;
  ready_at: string | null;
  cpu_usec?: number | null;
  memory_peak?: number | null;
  end_cause?: string | null;
  run_as?: string | null;
}

export function fromRow(row: Row): JobRecord {
  return {
    id: row.id,
    name: row.name,
    workflowRunId: row.workflow_run_id,
    command: JSON.parse(row.command) as string[],
    envNames: JSON.parse(row.env_names) as string[],
    secretNames: JSON.parse(row.secret_names) as string[],
    network: row.network,
    address: row.address,
    resources: JSON.parse(row.resources) as Resources,
    status: row.status as JobStatus,
    reason: row.reason as EndReason | null,
    message: row.message,
    exitCode: row.exit_code,
    signal: row.signal,
    createdAt: row.created_at,
    startedAt: row.started_at,
    endedAt: row.ended_at,
    owner: { pid: row.owner_pid, startTime: row.owner_start },
    init: row.init_pid === null ? null : { pid: row.init_pid, startTime: row.init_start ?? 0 },
    cgroup: row.cgroup === null ? null : (JSON.parse(row.cgroup) as JobCgroup),
    veth: row.veth,
    runDir: row.run_dir,
    logPath: row.log_path,
    stopRequestedAt: row.stop_requested_at,
    active: row.active === 1,
    held: row.held === 1,
    stopSignal: row.stop_signal as NodeJS.Signals,
    stopGraceMs: row.stop_grace_ms,
    readyAt: row.ready_at,
    cpuUsec: row.cpu_usec ?? null,
    memoryPeakBytes: row.memory_peak ?? null,
    endCause: parseEndCause(row.end_cause ?? null),
    runAs:
      row.run_as === null || row.run_as === undefined ? null : (JSON.parse(row.run_as) as RunAs),
  };
}

function parseEndCause(text: string | null): EndCause | null {
  if (text === null) return null;
  try {
    const value = JSON.parse(text) as Partial<{ kind: string; detail: string }>;
    if (value.kind === 'timeout') return { kind: 'timeout' };
    if (value.kind === 'not-ready') return { kind: 'not-ready', detail: value.detail ?? '' };
  } catch {
    // Not a cause rnx wrote: none.
  }
  return null;
}
