/**
 * How long a job may run and how often it is tried: `timeout` as the template's
 * `activeDeadlineSeconds` (per attempt, as in rnx), `retries` as a `retryStrategy` with rnx's
 * backoff (1 s, doubling, at most 30 s between attempts) that retries any failure, as rnx does.
 * A daemon's lifetime differs from an rnx service's, and the export says how.
 */
import type { IRetryStrategy } from '@kubernetes-models/argo-workflows/argoproj.io/v1alpha1/RetryStrategy';
import type { PlannedJob } from '../../validate/model.js';
import type { Report } from './report.js';

/** Whole seconds (Argo counts no finer); a fraction rounds up, with a warning. */
export function deadlineSeconds(job: PlannedJob, report: Report): number | undefined {
  if (job.timeoutMs === undefined) return undefined;
  const seconds = Math.ceil(job.timeoutMs / 1000);
  if (seconds * 1000 !== job.timeoutMs) {
    report.warning(
      report.job(job.name, 'timeout'),
      'argo-timeout-rounded',
      `timeout of job '${job.name}' becomes ${seconds}s: Argo's activeDeadlineSeconds counts whole seconds`,
    );
  }
  return seconds;
}

export function retryStrategyOf(job: PlannedJob): IRetryStrategy | undefined {
  if (job.retries <= 0) return undefined;
  return {
    limit: job.retries,
    retryPolicy: 'Always',
    backoff: { duration: '1s', factor: 2, cap: '30s' },
  };
}

/** What changes for a job that becomes a daemon (some job requires it RUNNING). */
export function warnDaemon(job: PlannedJob, clients: readonly string[], report: Report): void {
  report.warning(
    report.job(job.name),
    'argo-daemon-lifetime',
    `job '${job.name}' becomes an Argo daemon (required RUNNING by ${clients.join(', ')}): Argo stops it when the whole DAG ends, not when its last client ends, and counts it Failed if it exits by itself, even with status 0`,
    'give the service a command that keeps running until it is stopped',
  );
}
