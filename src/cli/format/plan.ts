/** The plan as people read it (a table of waves) and as JSON (secret values masked). */
import type { Plan, Requirement } from '../../validate/model.js';
import { printable } from '../../printable.js';
import { formatTable } from '../print.js';

export function formatPlan(plan: Plan): string {
  const jobs = new Map(plan.jobs.map((j) => [j.name, j]));
  const rows: string[][] = [];
  const withArtifacts = plan.jobs.some((j) => (j.artifacts ?? []).length > 0);
  plan.waves.forEach((wave, i) => {
    for (const name of wave) {
      const job = jobs.get(name);
      if (job === undefined) continue;
      const requires = job.requires.map(requirementText).join(', ');
      const row = [String(i + 1), name, job.network, requires === '' ? '-' : requires];
      if (withArtifacts) row.push((job.artifacts ?? []).join(', ') || '-');
      rows.push(row);
    }
  });
  const title = plan.workflow === undefined ? plan.name : `${plan.workflow}: ${plan.name}`;
  const count = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;
  return [
    `Workflow '${printable(title)}' (${printable(plan.file)}): ${count(plan.jobs.length, 'job')} in ${count(plan.waves.length, 'wave')}`,
    ...(plan.description === undefined ? [] : [printable(plan.description)]),
    '',
    formatTable(
      ['WAVE', 'JOB', 'NETWORK', 'REQUIRES', ...(withArtifacts ? ['ARTIFACTS'] : [])],
      rows,
    ),
  ].join('\n');
}

/** `build (COMPLETED)`; on a matrix job, `test (all 4 COMPLETED)` or `test (any of 4 FAILED)`. */
function requirementText(r: Requirement): string {
  if (r.of === undefined) return `${r.job} (${r.condition})`;
  const n = String(r.of.length);
  return r.condition === 'FAILED'
    ? `${r.job} (any of ${n} FAILED)`
    : `${r.job} (all ${n} ${r.condition})`;
}

/** The plan for `--json`: as the engine gets it, except that secret values read `***`. */
export function planJson(plan: Plan): unknown {
  return {
    ...plan,
    jobs: plan.jobs.map((job) => ({
      ...job,
      secretEnvironment: Object.fromEntries(
        Object.keys(job.secretEnvironment).map((k) => [k, '***']),
      ),
    })),
  };
}
