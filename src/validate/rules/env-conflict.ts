/**
 * A name in both `environment` and `secret_environment` of the same place: a warning (Joblet's
 * files do it); the secret value is the one the job gets.
 */
import type { Diagnostic } from '../diagnostic.js';
import type { DataPath } from '../load/load.js';
import type { Rule } from '../rule.js';
import { diagnosticAt } from '../rule.js';
import type { Data } from '../workflows.js';
import { isMapData, writtenJobs } from '../workflows.js';

export const checkEnvConflicts: Rule = ({ loaded, workflows }) => {
  const places: { path: DataPath; data: Data; owner: string }[] = [];
  const first = workflows[0];
  if (first !== undefined) places.push({ path: [], data: first.file, owner: 'the file' });
  for (const w of workflows) {
    if (w.key !== undefined)
      places.push({ path: w.path, data: w.data, owner: `workflow '${w.key}'` });
    for (const job of writtenJobs(w))
      places.push({ path: job.path, data: job.data, owner: `job '${job.name}'` });
  }
  const out: Diagnostic[] = [];
  for (const place of places) {
    const plain = place.data['environment'];
    const secret = place.data['secret_environment'];
    if (!isMapData(plain) || !isMapData(secret)) continue;
    for (const name of Object.keys(secret)) {
      if (!Object.hasOwn(plain, name)) continue;
      out.push(
        diagnosticAt(
          loaded,
          { path: [...place.path, 'secret_environment', name], part: 'key' },
          {
            severity: 'warning',
            code: 'env-conflict',
            message: `'${name}' is set in both environment and secret_environment of ${place.owner}; the job gets the secret value`,
            hint: 'remove one of the two',
            related: [
              {
                path: [...place.path, 'environment', name],
                part: 'key',
                message: 'the plain value, ignored',
              },
            ],
          },
        ),
      );
    }
  }
  return out;
};
