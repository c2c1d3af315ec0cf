/** Joblet's GPU requests: known keys, refused with the reason when they ask for a GPU. */
import type { Diagnostic } from '../diagnostic.js';
import type { Rule } from '../rule.js';
import { diagnosticAt } from '../rule.js';
import { isMapData, writtenJobs } from '../workflows.js';

export const checkGpu: Rule = ({ loaded, workflows }) => {
  const out: Diagnostic[] = [];
  for (const workflow of workflows) {
    for (const job of writtenJobs(workflow)) {
      const resources = job.data['resources'];
      if (!isMapData(resources)) continue;
      const count = resources['gpu_count'];
      const memory = resources['gpu_memory_mb'];
      const asks =
        (typeof count === 'number' && count > 0) || (typeof memory === 'number' && memory > 0);
      if (!asks) continue;
      const key = typeof count === 'number' && count > 0 ? 'gpu_count' : 'gpu_memory_mb';
      out.push(
        diagnosticAt(
          loaded,
          { path: [...job.path, 'resources', key], part: 'key' },
          {
            code: 'gpu-unsupported',
            message: `job '${job.name}' asks for a GPU (${key}: ${String(resources[key])}), and rnx does not allocate GPUs`,
            hint: 'rnx runs jobs as plain processes under cgroup limits, with no GPU scheduling or device isolation; remove gpu_count and gpu_memory_mb to run this job on CPUs',
          },
        ),
      );
    }
  }
  return out;
};
