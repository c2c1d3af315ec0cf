/** `max_iobps` and Joblet's `max_io_bps` name the same limit: one of them, not both. */
import type { Diagnostic } from '../diagnostic.js';
import type { Rule } from '../rule.js';
import { diagnosticAt } from '../rule.js';
import { isMapData, writtenJobs } from '../workflows.js';

export const checkIoAlias: Rule = ({ loaded, workflows }) => {
  const out: Diagnostic[] = [];
  for (const workflow of workflows) {
    for (const job of writtenJobs(workflow)) {
      const r = job.data['resources'];
      if (!isMapData(r) || r['max_iobps'] === undefined || r['max_io_bps'] === undefined) continue;
      out.push(
        diagnosticAt(
          loaded,
          { path: [...job.path, 'resources', 'max_io_bps'], part: 'key' },
          {
            code: 'duplicate-limit',
            message: `job '${job.name}' sets both 'max_iobps' and 'max_io_bps', which are the same limit`,
            hint: 'keep one of them',
          },
        ),
      );
    }
  }
  return out;
};
