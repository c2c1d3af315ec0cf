/** The plain data the scheduler takes and gives back (see scheduler.ts for the rules). */
import type { EndReason } from '../isolation/job-spec.js';
import type { Requirement } from '../validate/model.js';
import type { FinalStatus, Phase } from './phase.js';

export interface SchedulerJob {
  readonly name: string;
  readonly requires: readonly Requirement[];
  /** Extra attempts after a failure (0 or absent: run once). */
  readonly retries?: number;
  /**
   * The job has a readiness probe: RUNNING requirements on it are met only once `probed` is
   * called, not when its process starts.
   */
  readonly probe?: boolean;
}

export interface Outcome {
  /** CANCELED only for a job handed out by `next()` that the engine never started. */
  readonly status: FinalStatus;
  readonly reason?: EndReason;
}

export interface Cancellation {
  readonly job: string;
  readonly cause: string;
}

export interface Retry {
  readonly job: string;
  /** Number of the attempt that will run after the delay (2 for the first retry). */
  readonly attempt: number;
  readonly delayMs: number;
}

export interface Transition {
  readonly ready: readonly string[];
  readonly canceled: readonly Cancellation[];
  readonly stop: readonly string[];
  readonly retry?: Retry;
}

export interface JobState {
  readonly name: string;
  readonly phase: Phase;
  readonly attempts: number;
  readonly reason?: EndReason;
  /** Why it was canceled or stopped by the workflow. */
  readonly cause?: string;
}
