/**
 * Turns one planned workflow job into the runner's JobSpec for one attempt. Pure. The timeout is
 * left out on purpose: the engine enforces it (launch.ts), so there is one stop path and the
 * result is FAILED with reason timeout whatever runner is plugged in. Empty volumes and uploads
 * are left out too: absent means none.
 */
import type { Bind, JobSpec } from '../isolation/job-spec.js';
import type { PlannedJob } from '../validate/model.js';

/** Where $RNX_OUTPUT is in the job: its attempt's output folder is bound there. */
export const OUTPUT_DIR_IN_JOB = '/run/rnx';

/** What passes between jobs: the attempt's host directories and earlier jobs' artifacts. */
export interface SpecFiles {
  readonly workspace?: string;
  readonly outputDir: string;
  readonly binds: readonly Bind[];
}

export function specFor(
  job: PlannedJob,
  id: string,
  workflowRunId: string,
  files?: SpecFiles,
): JobSpec {
  const uploads = job.uploads.files.length + job.uploads.directories.length > 0;
  return {
    id,
    name: job.name,
    command: job.command,
    args: job.args,
    env:
      files === undefined
        ? job.environment
        : { RNX_OUTPUT: `${OUTPUT_DIR_IN_JOB}/output`, ...job.environment },
    secretEnv: job.secretEnvironment,
    network: job.network,
    resources: job.resources,
    workflowRunId,
    ...(job.volumes.length === 0 ? {} : { volumes: job.volumes }),
    ...(job.runtime === undefined ? {} : { runtime: job.runtime }),
    ...(uploads ? { uploads: job.uploads } : {}),
    ...(job.capabilities === undefined ? {} : { capabilities: job.capabilities }),
    ...(job.ready === undefined ? {} : { ready: job.ready }),
    ...(job.user === undefined ? {} : { user: job.user }),
    ...(job.stopSignal === undefined ? {} : { stopSignal: job.stopSignal }),
    ...(job.stopGraceMs === undefined ? {} : { stopGraceMs: job.stopGraceMs }),
    ...(files === undefined
      ? {}
      : {
          ...(files.workspace === undefined ? {} : { workspace: files.workspace }),
          binds: [
            { source: files.outputDir, target: OUTPUT_DIR_IN_JOB, readOnly: false },
            ...files.binds,
          ],
        }),
  };
}
