/**
 * A job's `user` (its own or from `defaults:`) must exist in the root the job gets: the host's
 * /etc/passwd and /etc/group, or its runtime's. Looked at only when the catalog can (not with
 * `--skip-environment`); one diagnostic per place and root, however many jobs (matrix instances,
 * defaults) share it. A UID that /etc/passwd lacks is fine, as in Docker.
 */
import type { Diagnostic } from '../diagnostic.js';
import type { Rule } from '../rule.js';
import { diagnosticAt } from '../rule.js';
import { pathOf } from '../workflows.js';

export const checkUsers: Rule = ({ loaded, workflows, catalog }) => {
  const check = catalog.checkUser;
  if (check === undefined) return [];
  const out: Diagnostic[] = [];
  const seen = new Set<string>();
  for (const workflow of workflows) {
    for (const job of workflow.jobs) {
      const written = job.data['user'];
      if (typeof written !== 'string' && typeof written !== 'number') continue;
      const user = String(written);
      const runtime = typeof job.data['runtime'] === 'string' ? job.data['runtime'] : undefined;
      const path = pathOf(job, 'user');
      const key = JSON.stringify([user, runtime, path]);
      if (seen.has(key)) continue;
      seen.add(key);
      const found = check(user, runtime);
      if (found === undefined) continue;
      const whose =
        job.sources?.['user'] === undefined ? `job '${job.matrix?.job ?? job.name}'` : 'defaults';
      out.push(
        diagnosticAt(
          loaded,
          { path },
          {
            code: found.code,
            message: `${whose}: ${found.message}`,
            ...(found.hint === undefined ? {} : { hint: found.hint }),
          },
        ),
      );
    }
  }
  return out;
};
