/**
 * Matrix expansion, pure: `matrix: {python: ["3.11", "3.12"], shard: [1, 2]}` gives one instance per
 * combination (first key outermost), named after the job and its values joined with '-'
 * (`test-3-11-1`), every character a job name cannot hold turned into '-'. `${matrix.KEY}` in any
 * text value of the job becomes the instance's value.
 */
import type { Data } from '../workflows.js';

export const MATRIX_REFERENCE = /\$\{matrix\.([A-Za-z_][A-Za-z0-9_]*)\}/g;

export interface MatrixInstance {
  readonly name: string;
  readonly values: Readonly<Record<string, string>>;
}

/** The combinations of a well-formed matrix map (keys with non-list values are skipped). */
export function matrixInstances(job: string, matrix: Data): MatrixInstance[] {
  let combos: Record<string, string>[] = [{}];
  for (const [key, list] of Object.entries(matrix)) {
    if (!Array.isArray(list) || list.length === 0) continue;
    const values = list.map((v: unknown) => String(v as string));
    combos = combos.flatMap((c) => values.map((v) => ({ ...c, [key]: v })));
  }
  return combos.map((values) => ({ name: instanceName(job, Object.values(values)), values }));
}

export function instanceName(job: string, values: readonly string[]): string {
  return [job, ...values]
    .join('-')
    .toLowerCase()
    .replace(/[^a-z0-9-]/g, '-')
    .replace(/-+/g, '-')
    .replace(/^-|-$/g, '');
}

/** Every text value (deep) with `${matrix.KEY}` replaced; unknown keys are left as written. */
export function substituteMatrix(
  value: unknown,
  values: Readonly<Record<string, string>>,
): unknown {
  if (typeof value === 'string') {
    if (!value.includes('${matrix.')) return value;
    return value.replace(MATRIX_REFERENCE, (whole, key: string) =>
      Object.hasOwn(values, key) ? (values[key] ?? whole) : whole,
    );
  }
  if (Array.isArray(value)) return value.map((v: unknown) => substituteMatrix(v, values));
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = substituteMatrix(v, values);
    return out;
  }
  return value;
}

/** Paths (below the given value) of text holding `${matrix.KEY}`, with the key. */
export function matrixReferences(
  value: unknown,
  path: readonly (string | number)[] = [],
): { path: (string | number)[]; key: string }[] {
  if (typeof value === 'string') {
    return [...value.matchAll(MATRIX_REFERENCE)].map((m) => ({ path: [...path], key: m[1] ?? '' }));
  }
  if (Array.isArray(value))
    return value.flatMap((v: unknown, i) => matrixReferences(v, [...path, i]));
  if (typeof value === 'object' && value !== null)
    return Object.entries(value).flatMap(([k, v]) => matrixReferences(v, [...path, k]));
  return [];
}
