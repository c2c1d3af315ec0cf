/**
 * The workflow's final status and the exit code of `rnx job run --workflow`:
 *
 *   CANCELED (exit 130)  the run was interrupted (Ctrl-C, SIGTERM, an aborted signal), whatever
 *                        else happened before;
 *   FAILED   (exit 1)    otherwise, some job FAILED after all its retries (a timeout is a failure),
 *                        or was stopped by someone other than the workflow. This holds even when a
 *                        cleanup job ran because of the failure: the failure is still reported;
 *   COMPLETED (exit 0)   otherwise. Jobs CANCELED because their branch was not taken (a cleanup
 *                        job requiring `build: FAILED` when build completed) and services the
 *                        workflow stopped because nothing needed them any more do not fail it.
 */
import type { Phase } from './phase.js';

export type WorkflowStatus = 'COMPLETED' | 'FAILED' | 'CANCELED';

export interface JobVerdict {
  readonly phase: Phase;
  /** The workflow itself asked this job to stop (a service no longer needed, or an interrupt). */
  readonly stoppedByWorkflow: boolean;
}

export function workflowStatus(jobs: readonly JobVerdict[], interrupted: boolean): WorkflowStatus {
  if (interrupted) return 'CANCELED';
  const failed = jobs.some(
    (job) => job.phase === 'FAILED' || (job.phase === 'STOPPED' && !job.stoppedByWorkflow),
  );
  return failed ? 'FAILED' : 'COMPLETED';
}

export const WORKFLOW_EXIT_CODES: Readonly<Record<WorkflowStatus, number>> = {
  COMPLETED: 0,
  FAILED: 1,
  CANCELED: 130,
};
