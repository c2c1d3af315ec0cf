/**
 * Variables written without a value (`TOKEN:`) take theirs from outside when an rnx run starts
 * (rnx's environment, env files). On Argo the outside is the submission: each becomes a Workflow
 * parameter without a default, given with `argo submit -p NAME=VALUE` (Argo refuses a submission
 * that leaves one out, as `rnx job run` refuses to start with one unset). The exporter's own
 * environment is never written into the manifests. Secret ones are keys of the Secret instead.
 */
import type { DataPath } from '../../validate/load/load.js';
import type { Plan, PlannedJob } from '../../validate/model.js';
import type { Report } from './report.js';

/** The plain variables of a job whose value comes from outside: the innermost layer has none. */
export function passThroughOf(job: PlannedJob, plan: Plan, report: Report): string[] {
  const layers: DataPath[] = [
    ['environment'],
    ...(plan.workflow === undefined ? [] : [report.workflow('environment')]),
    report.job(job.name, 'environment'),
  ];
  const out: string[] = [];
  for (const name of Object.keys(job.environment)) {
    if (name in job.secretEnvironment) continue;
    const defining = layers.filter((l) => report.has([...l, name]) || report.isNull([...l, name]));
    const innermost = defining.at(-1);
    if (innermost !== undefined && report.isNull([...innermost, name])) out.push(name);
  }
  return out;
}

/** Warns once per variable, where it is written, and returns every name for the Workflow. */
export function passThroughParameters(plan: Plan, report: Report): Map<string, string[]> {
  const byJob = new Map<string, string[]>();
  for (const job of plan.jobs) {
    const names = passThroughOf(job, plan, report);
    byJob.set(job.name, names);
    for (const name of names) {
      const at = [
        ['environment'],
        report.workflow('environment'),
        report.job(job.name, 'environment'),
      ]
        .map((l) => [...l, name])
        .findLast((p) => report.isNull(p));
      report.warning(
        at ?? report.job(job.name),
        'argo-pass-through',
        `variable '${name}' takes its value from outside: on Argo it is the Workflow parameter ${name}, given when submitting (argo submit -p ${name}=VALUE)`,
      );
    }
  }
  return byJob;
}
