/**
 * How a job is stopped when it does not say: apart from stop-job.ts so that the job records, which
 * every command reads first (orphan-candidates.ts), load none of the stopping code (cgroups,
 * node:fs/promises, node:os).
 */
export const DEFAULT_GRACE_MS = 10_000;
export const DEFAULT_STOP_SIGNAL: NodeJS.Signals = 'SIGTERM';
