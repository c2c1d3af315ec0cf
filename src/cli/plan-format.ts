/** The plan as people read it (a table of waves) and as JSON (secret values masked). */
import type { Plan } from '../validate/model.js';
import { formatTable } from './print.js';

export function formatPlan(plan: Plan): string {
  const jobs = new Map(plan.jobs.map((j) => [j.name, j]));
  const rows: string[][] = [];
  plan.waves.forEach((wave, i) => {
    for (const name of wave) {
      const job = jobs.get(name);
      if (job === undefined) continue;
      const requires = job.requires.map((r) => `${r.job} (${r.condition})`).join(', ');
      rows.push([String(i + 1), name, job.network, requires === '' ? '-' : requires]);
    }
  });
  const title = plan.workflow === undefined ? plan.name : `${plan.workflow}: ${plan.name}`;
  const count = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;
  return [
    `Workflow '${title}' (${plan.file}): ${count(plan.jobs.length, 'job')} in ${count(plan.waves.length, 'wave')}`,
    ...(plan.description === undefined ? [] : [plan.description]),
    '',
    formatTable(['WAVE', 'JOB', 'NETWORK', 'REQUIRES'], rows),
  ].join('\n');
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
