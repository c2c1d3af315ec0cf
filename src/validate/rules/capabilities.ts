/**
 * A job's `capabilities: {add: [...], drop: [...]}` must name Linux capabilities (as in
 * capabilities(7), with or without `CAP_`, any case) or `ALL`; an unknown name is reported at its
 * place with the closest known one.
 */
import { checkCapability } from '../../isolation/start/capabilities.js';
import type { Diagnostic } from '../diagnostic.js';
import type { Rule } from '../rule.js';
import { diagnosticAt } from '../rule.js';
import { isMapData, stringsOf } from '../workflows.js';

export const checkCapabilities: Rule = ({ loaded, workflows }) => {
  const out: Diagnostic[] = [];
  for (const workflow of workflows) {
    for (const job of workflow.jobs) {
      const caps = job.data['capabilities'];
      if (!isMapData(caps)) continue;
      for (const side of ['add', 'drop']) {
        for (const item of stringsOf(caps[side])) {
          const checked = checkCapability(item.value);
          if (checked.ok) continue;
          out.push(
            diagnosticAt(
              loaded,
              { path: [...job.path, 'capabilities', side, item.index] },
              {
                code: checked.problem.code,
                message: `job '${job.name}': ${checked.problem.message}`,
                ...(checked.problem.hint === undefined ? {} : { hint: checked.problem.hint }),
              },
            ),
          );
        }
      }
    }
  }
  return out;
};
