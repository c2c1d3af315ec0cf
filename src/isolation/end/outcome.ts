/**
 * How a finished job is classified: pure, from what the runner observed. The order matters: a stop
 * the user asked for wins over the signal that carried it out, a timeout over the kill it caused,
 * and an OOM kill over the bare 137 it leaves behind.
 */
import { constants } from 'node:os';
import { TIMEOUT_EXIT_CODE, type EndReason, type JobStatus } from '../job-spec.js';

export interface Observed {
  readonly code: number | null;
  readonly signal: string | null;
  readonly stopRequested: boolean;
  readonly timedOut: boolean;
  readonly oomKills: number;
  /** The command was not found (init said so); it never ran. */
  readonly notFound?: string;
  /** Its readiness probe did not pass in time (why): rnx stopped it. */
  readonly notReady?: string;
}

export interface Classified {
  readonly status: JobStatus;
  readonly reason: EndReason;
  readonly exitCode: number | null;
  readonly signal: string | null;
  readonly message?: string;
}

export function classify(o: Observed): Classified {
  const base = { exitCode: o.code, signal: o.signal };
  if (o.notFound !== undefined) {
    return {
      ...base,
      status: 'FAILED',
      reason: 'start-failed',
      message: `command not found: ${o.notFound}`,
    };
  }
  if (o.stopRequested) return { ...base, status: 'STOPPED', reason: 'stopped' };
  if (o.notReady !== undefined) {
    return { ...base, status: 'FAILED', reason: 'not-ready', message: o.notReady };
  }
  if (o.timedOut) {
    return {
      ...base,
      exitCode: TIMEOUT_EXIT_CODE,
      status: 'FAILED',
      reason: 'timeout',
      message: 'timed out',
    };
  }
  const failed = o.signal !== null || o.code !== 0;
  if (failed && o.oomKills > 0) {
    return {
      ...base,
      status: 'FAILED',
      reason: 'oom',
      message: `the memory limit's OOM killer ended ${String(o.oomKills)} process${o.oomKills > 1 ? 'es' : ''}`,
    };
  }
  if (o.signal !== null) return { ...base, status: 'FAILED', reason: 'signal' };
  return { ...base, status: o.code === 0 ? 'COMPLETED' : 'FAILED', reason: 'exit' };
}

/** The shell convention for a job's exit status: its code, or 128 + the signal's number. */
export function shellExitCode(exitCode: number | null, signal: string | null): number {
  if (exitCode !== null) return exitCode;
  const number =
    signal === null ? undefined : (constants.signals as Record<string, number>)[signal];
  return number === undefined ? 1 : 128 + number;
}
