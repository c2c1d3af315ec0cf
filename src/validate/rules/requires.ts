/** `requires` entries must name another job of the same workflow, once each. */
import { listSome, Suggester } from '../../suggest.js';
import type { Diagnostic } from '../diagnostic.js';
import type { Rule } from '../rule.js';
import { diagnosticAt } from '../rule.js';
import { requirementsOf, writtenJobs } from '../workflows.js';

export const checkRequires: Rule = ({ loaded, workflows }) => {
  const out: Diagnostic[] = [];
  for (const workflow of workflows) {
    const names = writtenJobs(workflow).map((j) => j.name);
    const suggester = new Suggester(names);
    for (const job of writtenJobs(workflow)) {
      const seen = new Set<string>();
      for (const r of requirementsOf(job)) {
        const at = { path: [...job.path, 'requires', r.index, r.job], part: 'key' as const };
        if (r.job === job.name) {
          out.push(
            diagnosticAt(loaded, at, {
              code: 'self-requirement',
              message: `job '${job.name}' requires itself`,
              hint: 'a job cannot wait for its own result; remove this entry',
            }),
          );
        } else if (!workflow.jobIndex.has(r.job) && !workflow.groups.has(r.job)) {
          const guess = suggester.closest(r.job);
          out.push(
            diagnosticAt(loaded, at, {
              code: 'unknown-job',
              message: `job '${job.name}' requires '${r.job}', which is not a job of this workflow${guess === undefined ? '' : `; did you mean '${guess}'?`}`,
              hint: `jobs here: ${listSome(names)}`,
            }),
          );
        } else if (seen.has(r.job)) {
          out.push(
            diagnosticAt(loaded, at, {
              code: 'duplicate-requirement',
              message: `job '${job.name}' requires '${r.job}' more than once`,
              hint: 'keep one entry with the condition you mean',
            }),
          );
        }
        seen.add(r.job);
      }
    }
  }
  return out;
};
