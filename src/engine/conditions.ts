/**
 * One `requires` edge, evaluated against the current phase of the job it points at. Pure.
 *
 *   condition   met when the required job...        can no longer be met when it...
 *   COMPLETED   ended with exit 0                   failed, was stopped or canceled
 *   FAILED      ran and failed (after its retries)  completed, was stopped or canceled
 *   FINISHED    ran and ended (completed, failed,   was canceled (never ran)
 *               or was stopped)
 *   RUNNING     is running and ready (its probe     ended before the dependent started
 *               passed; at once without a probe)
 *
 * A job between two attempts (waiting for its retry) has not ended: every condition on it waits.
 */
import type { Condition } from '../validate/model.js';
import { isFinal, type Phase } from './phase.js';

export type Verdict = 'met' | 'pending' | 'impossible';

/** `up`: the required job, when running, is ready (its readiness probe passed, or it has none). */
export function evaluate(condition: Condition, phase: Phase, up = true): Verdict {
  switch (phase) {
    case 'waiting':
    case 'ready':
    case 'dispatched':
    case 'backoff':
      return 'pending';
    case 'running':
      return condition === 'RUNNING' && up ? 'met' : 'pending';
    case 'COMPLETED':
      return condition === 'COMPLETED' || condition === 'FINISHED' ? 'met' : 'impossible';
    case 'FAILED':
      return condition === 'FAILED' || condition === 'FINISHED' ? 'met' : 'impossible';
    case 'STOPPED':
      return condition === 'FINISHED' ? 'met' : 'impossible';
    case 'CANCELED':
      return 'impossible';
  }
}

/** The verdict of all of a job's requirements together: met only when every one is met. */
export function combine(verdicts: readonly Verdict[]): Verdict {
  if (verdicts.includes('impossible')) return 'impossible';
  return verdicts.every((v) => v === 'met') ? 'met' : 'pending';
}

/**
 * A requirement on a matrix job: on all of its instances together. COMPLETED, FINISHED and RUNNING
 * need every instance to meet them; FAILED is met once every instance has ended and one or more
 * failed (impossible when they all ended and none did).
 */
export function evaluateAll(
  condition: Condition,
  phases: readonly Phase[],
  up: readonly boolean[] = [],
): Verdict {
  if (condition !== 'FAILED' || phases.length === 1)
    return combine(phases.map((phase, i) => evaluate(condition, phase, up[i] ?? true)));
  if (!phases.every(isFinal)) return 'pending';
  return phases.includes('FAILED') ? 'met' : 'impossible';
}
