/**
 * A key twice in the same map. yaml's own check compares every key with every earlier one
 * (quadratic in a 10,000-job `jobs:` map), so it is off in load.ts and done here in one pass.
 * Later stages still run: the data keeps the last value.
 */
import { isScalar, visit } from 'yaml';
import type { Diagnostic } from '../diagnostic.js';
import type { LoadedFile } from '../load.js';
import { spanAt } from '../load.js';

export function checkDuplicateKeys(loaded: LoadedFile): Diagnostic[] {
  const out: Diagnostic[] = [];
  const at = (range: readonly number[] | null | undefined) =>
    spanAt(loaded.file, loaded.lines, range?.[0] ?? 0, range?.[1] ?? 0);
  visit(loaded.document(), {
    Map(_, map) {
      if (map.items.length < 2) return;
      const seen = new Map<string, readonly number[] | null | undefined>();
      for (const pair of map.items) {
        if (!isScalar(pair.key)) continue;
        const key = String(pair.key.value);
        if (!seen.has(key)) {
          seen.set(key, pair.key.range);
          continue;
        }
        out.push({
          severity: 'error',
          code: 'yaml-duplicate-key',
          message: `key '${key}' appears twice in the same map`,
          hint: 'keep one of them',
          ...at(pair.key.range),
          related: [{ ...at(seen.get(key)), message: 'first here' }],
        });
      }
    },
  });
  return out;
}
