/**
 * `--job=NAME` (repeatable): the plan cut down to the named jobs and everything they require,
 * directly or through others. A matrix job's name stands for all its instances. Pure.
 */
import { closest, listSome } from '../../suggest.js';
import type { Diagnostic } from '../diagnostic.js';
import type { Plan } from '../model.js';

export type Selected =
  | { readonly ok: true; readonly plan: Plan }
  | {
      readonly ok: false;
      readonly problem: Pick<Diagnostic, 'severity' | 'code' | 'message' | 'hint'>;
    };

export function selectJobs(plan: Plan, names: readonly string[]): Selected {
  const byName = new Map(plan.jobs.map((j) => [j.name, j]));
  const groups = new Map<string, string[]>();
  for (const job of plan.jobs) {
    if (job.matrix === undefined) continue;
    const list = groups.get(job.matrix.job) ?? [];
    list.push(job.name);
    groups.set(job.matrix.job, list);
  }
  const keep = new Set<string>();
  const stack: string[] = [];
  for (const name of names) {
    const found = groups.get(name) ?? (byName.has(name) ? [name] : undefined);
    if (found === undefined) {
      const known = [...new Set(plan.jobs.map((j) => j.matrix?.job ?? j.name))];
      const guess = closest(name, known);
      return {
        ok: false,
        problem: {
          severity: 'error',
          code: 'unknown-job',
          message: `--job=${name}: workflow '${plan.name}' has no job '${name}'${guess === undefined ? '' : `; did you mean '${guess}'?`}`,
          hint: `jobs here: ${listSome(known)}`,
        },
      };
    }
    stack.push(...found);
  }
  for (let name = stack.pop(); name !== undefined; name = stack.pop()) {
    if (keep.has(name)) continue;
    keep.add(name);
    for (const r of byName.get(name)?.requires ?? []) stack.push(...(r.of ?? [r.job]));
  }
  return {
    ok: true,
    plan: {
      ...plan,
      jobs: plan.jobs.filter((j) => keep.has(j.name)),
      waves: plan.waves.map((w) => w.filter((n) => keep.has(n))).filter((w) => w.length > 0),
    },
  };
}
