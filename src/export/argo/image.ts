/** The container image of a job: `--runtime-image` for its runtime, else `--image`. */
import type { PlannedJob } from '../../validate/model.js';
import type { Report } from './report.js';
import type { ArgoOptions } from './workflow.js';

/** The image of a job: its runtime's, else --image; none at all is an error. */
export function imageOf(job: PlannedJob, options: ArgoOptions, report: Report): string | undefined {
  const runtime = job.runtime;
  const mapped = runtime === undefined ? undefined : options.runtimeImages.get(runtime);
  if (mapped !== undefined) return mapped;
  if (options.image !== undefined) {
    if (runtime !== undefined) {
      report.warning(
        report.job(job.name, 'runtime'),
        'argo-runtime-image',
        `job '${job.name}' runs in runtime '${runtime}', which has no --runtime-image: it gets --image ${options.image} instead`,
        `map it: --runtime-image ${runtime}=IMAGE`,
      );
    }
    return options.image;
  }
  report.error(
    report.job(job.name, ...(runtime === undefined ? [] : ['runtime'])),
    'argo-no-image',
    runtime === undefined
      ? `job '${job.name}' has no image: a container needs one, and rnx jobs run on the host's own root`
      : `job '${job.name}' runs in runtime '${runtime}', which has no image`,
    runtime === undefined
      ? 'pass --image=IMAGE with the tools its command needs'
      : `pass --runtime-image ${runtime}=IMAGE, or --image=IMAGE for every job`,
  );
  return undefined;
}
