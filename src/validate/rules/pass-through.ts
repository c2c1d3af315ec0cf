/**
 * A variable given without a value (`TOKEN:` or `TOKEN: ~`) takes its value from rnx's own
 * environment or an env file when the run starts. Unset there: an error for a run, a warning for a
 * dry run or a lint (the default), at the variable.
 */
import type { DataPath } from '../load/load.js';
import type { Rule } from '../rule.js';
import { keyDiagnostics } from '../rule.js';
import { ENV_KEYS, isMapData, writtenJobs } from '../workflows.js';

export const checkPassThrough: Rule = ({ loaded, workflows, passThrough }) => {
  const places: DataPath[] = [[]];
  for (const w of workflows) {
    if (w.key !== undefined) places.push(w.path);
    for (const job of writtenJobs(w)) places.push(job.path);
  }
  const out = keyDiagnostics(loaded);
  for (const place of places) {
    for (const key of ENV_KEYS) {
      const env = valueAt(loaded.data, [...place, key]);
      if (!isMapData(env)) continue;
      for (const [name, value] of Object.entries(env)) {
        if (value !== null || passThrough?.lookup(name) !== undefined) continue;
        out.add([...place, key, name], {
          severity: passThrough?.unset ?? 'warning',
          code: 'env-unset',
          message: `'${name}' has no value here and is not set in rnx's environment${passThrough?.sources === undefined ? '' : ` or ${passThrough.sources}`}`,
          hint: `export ${name}=... before running rnx, or put it in an env file (--env-file=FILE or env_file:)`,
        });
      }
    }
  }
  return out.list;
};

function valueAt(data: unknown, path: DataPath): unknown {
  let node = data;
  for (const segment of path) {
    if (!isMapData(node)) return undefined;
    node = node[String(segment)];
  }
  return node;
}
