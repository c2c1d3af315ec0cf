/**
 * No job's environment may set a variable the dynamic loader acts on (`LD_PRELOAD`...): rnx
 * starts host programs with a job's environment as root (src/loader-env.ts). Reported at each key
 * that sets one, in `environment` or `secret_environment` at any level.
 */
import { LOADER_VARIABLE_HINT, loaderVariable, loaderVariableMessage } from '../../loader-env.js';
import type { Rule } from '../rule.js';
import { keyDiagnostics } from '../rule.js';
import { ENV_KEYS, isMapData, workflowLevels, writtenJobs } from '../workflows.js';

export const checkEnvUnsafe: Rule = ({ loaded, workflows }) => {
  const out = keyDiagnostics(loaded);
  for (const workflow of workflows) {
    const places = workflowLevels(workflow);
    for (const job of writtenJobs(workflow)) places.push({ path: job.path, data: job.data });
    for (const place of places) {
      for (const key of ENV_KEYS) {
        const env = place.data[key];
        if (!isMapData(env)) continue;
        for (const name of Object.keys(env).filter(loaderVariable)) {
          out.add([...place.path, key, name], {
            code: 'env-unsafe',
            message: loaderVariableMessage(name),
            hint: LOADER_VARIABLE_HINT,
          });
        }
      }
    }
  }
  return out.list;
};
