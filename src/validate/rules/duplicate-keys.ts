/**
 * A key twice in the same map. yaml's own check compares every key with every earlier one
 * (quadratic in a 10,000-job `jobs:` map), so it is off in load.ts and done here in one pass.
 * Later stages still run: the data keeps the last value.
 *
 * Run on every file as it is loaded, so it allocates next to nothing: one set of keys reused for
 * every map (key to where it is first written), and a walk without path arrays (yaml's `visit` makes one per node, tens of MB for a
 * 100,000-job file, all while the whole document is in memory).
 */
import { isMap, isPair, isScalar, isSeq } from 'yaml';
import type { Pair } from 'yaml';
import type { Diagnostic, Location } from '../diagnostic.js';

type Range = readonly number[] | null | undefined;

/** Where a node's range is in the file. */
export type SpanOf = (range: Range) => Location;

export function checkDuplicateKeys(root: unknown, at: SpanOf): Diagnostic[] {
  const out: Diagnostic[] = [];
  const seen = new Map<string, Range>();
  const pending: unknown[] = [root];
  while (pending.length > 0) {
    const node = pending.pop();
    if (isPair(node)) {
      pending.push(node.value, node.key);
    } else if (isMap(node)) {
      if (node.items.length > 1) duplicatesIn(node.items, seen, at, out);
      for (let i = node.items.length - 1; i >= 0; i--) pending.push(node.items[i]);
    } else if (isSeq(node)) {
      for (let i = node.items.length - 1; i >= 0; i--) pending.push(node.items[i]);
    }
  }
  return out;
}

function duplicatesIn(
  items: readonly Pair[],
  seen: Map<string, Range>,
  at: SpanOf,
  out: Diagnostic[],
): void {
  seen.clear();
  for (const pair of items) {
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
  seen.clear();
}
