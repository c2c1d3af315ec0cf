/**
 * Every job's environment, expanded as the plan will expand it, must fit in what Linux lets a
 * command start with: a `NAME=value` of at most MAX_ENV_ENTRY bytes. Reported once at the
 * variable that goes past it (a value doubled through `${...}` reports the first one too long).
 */
import { mergeEnvironment, MAX_ENV_ENTRY } from '../env/env.js';
import type { Rule } from '../rule.js';
import { keyDiagnostics } from '../rule.js';
import { ENV_KEYS, isMapData, workflowLevels, writtenJobs } from '../workflows.js';

export const checkEnvSize: Rule = ({ loaded, workflows }) => {
  const out = keyDiagnostics(loaded);
  for (const workflow of workflows) {
    const places = workflowLevels(workflow);
    for (const job of writtenJobs(workflow)) {
      const layers = [...places, { path: job.path, data: job.data }];
      const [plain, secret] = ENV_KEYS.map((key) =>
        layers.flatMap((l) => {
          const env = l.data[key];
          return isMapData(env) ? [{ env, path: [...l.path, key] }] : [];
        }),
      );
      const merged = mergeEnvironment(
        (plain ?? []).map((l) => l.env),
        (secret ?? []).map((l) => l.env),
      );
      for (const o of merged.oversized) {
        const at = (o.secret ? secret : plain)?.[o.layer]?.path ?? [];
        out.add([...at, o.name], {
          code: 'env-too-large',
          message: `'${o.name}' expands to more than ${String(MAX_ENV_ENTRY)} bytes, more than Linux lets a command's environment hold in one variable`,
          hint: 'pass large data as a file (uploads:, a volume) rather than in a variable',
        });
      }
    }
  }
  return out.list;
};
