/** Turns one planned workflow job into the runner's JobSpec for one attempt. Pure. */
import type { HostEntry, JobSpec } from '../isolation/job-spec.js';
import type { PlannedJob } from '../validate/model.js';

export function specFor(
  job: PlannedJob,
  id: string,
  workflowRunId: string,
  hosts: readonly HostEntry[],
): JobSpec {
  return {
    id,
    name: job.name,
    command: job.command,
    args: job.args,
    env: job.environment,
    secretEnv: job.secretEnvironment,
    network: job.network,
    resources: job.resources,
    ...(job.timeoutMs === undefined ? {} : { timeoutMs: job.timeoutMs }),
    hosts,
    workflowRunId,
    volumes: job.volumes,
    ...(job.runtime === undefined ? {} : { runtime: job.runtime }),
    uploads: job.uploads,
  };
}
