/**
 * rnx's `requires` as Argo DAG `depends` expressions, and what follows from RUNNING: which jobs
 * become daemons, and which jobs can run at the same time (for volume access modes).
 *
 *   COMPLETED  -> T.Succeeded            FAILED   -> T.Failed
 *   FINISHED   -> (T.Succeeded || T.Failed)   RUNNING -> T.Daemoned (T is a daemon template)
 *
 * Several requirements are joined with `&&`; a requirement on a matrix job names each of its
 * instances (each instance is a task of its own). Argo evaluates a task's `depends` once every task it
 * names is fulfilled, and a daemon is fulfilled as soon as it runs (and is ready): so a daemon's
 * Succeeded or Failed can never be waited for, and such a requirement is an error, not a guess.
 */
import type { Plan, PlannedJob, Requirement } from '../../validate/model.js';
import { taskName } from './names.js';
import type { Report } from './report.js';

/** The jobs a requirement names: the job, or every instance of a matrix job. */
export function requiredJobs(requirement: Requirement): readonly string[] {
  return requirement.of ?? [requirement.job];
}

/**
 * One requirement's operand in a `depends` expression. On a matrix job's instances: COMPLETED
 * all succeeded, FINISHED all finished, RUNNING all daemoned, FAILED all finished and one or more
 * failed (Argo evaluates `depends` only once every task it names is done).
 */
export function dependsTerm(requirement: Requirement): string {
  const tasks = requiredJobs(requirement).map(taskName);
  const each = (f: (task: string) => string, join: string): string => {
    const terms = tasks.map(f);
    return terms.length === 1 ? (terms[0] ?? '') : `(${terms.join(join)})`;
  };
  const finished = (t: string): string => `(${t}.Succeeded || ${t}.Failed)`;
  switch (requirement.condition) {
    case 'COMPLETED':
      return each((t) => `${t}.Succeeded`, ' && ');
    case 'RUNNING':
      return each((t) => `${t}.Daemoned`, ' && ');
    case 'FINISHED':
      return each(finished, ' && ');
    case 'FAILED':
      return tasks.length === 1
        ? `${tasks[0] ?? ''}.Failed`
        : `(${tasks.map(finished).join(' && ')} && ${each((t) => `${t}.Failed`, ' || ')})`;
  }
}

/** The whole `depends` of a job, or undefined when it requires nothing. */
export function dependsOf(job: PlannedJob): string | undefined {
  if (job.requires.length === 0) return undefined;
  return job.requires.map(dependsTerm).join(' && ');
}

/** Jobs some other job requires as RUNNING: they become `daemon: true` templates. */
export function daemonJobs(plan: Plan): ReadonlySet<string> {
  const out = new Set<string>();
  for (const job of plan.jobs)
    for (const r of job.requires)
      if (r.condition === 'RUNNING') for (const name of requiredJobs(r)) out.add(name);
  return out;
}

/**
 * Errors for requirements Argo cannot honour: waiting for a daemon's result. Located at the
 * requirement, with the jobs that made it a daemon named in the hint.
 */
export function checkDaemonResults(plan: Plan, daemons: ReadonlySet<string>, report: Report): void {
  for (const job of plan.jobs) {
    for (const r of job.requires) {
      if (r.condition === 'RUNNING' || !requiredJobs(r).some((n) => daemons.has(n))) continue;
      const users = plan.jobs
        .filter((j) => j.requires.some((x) => x.job === r.job && x.condition === 'RUNNING'))
        .map((j) => j.name);
      report.error(
        report.requirement(job.name, r.job),
        'argo-daemon-result',
        `job '${job.name}' requires ${r.job}: ${r.condition}, but '${r.job}' becomes an Argo daemon (required RUNNING by ${users.join(', ')}), and Argo decides what waits for a daemon as soon as it runs: ${r.condition} would never hold`,
        `require '${r.job}' RUNNING here too, or wait for the jobs that use it (${users.map((u) => `${u}: COMPLETED`).join(', ')})`,
      );
    }
  }
}

/**
 * Jobs each job waits for before it starts, directly or not, through requirements that order
 * (every condition but RUNNING, which starts a job beside the one it requires).
 */
function orderedAncestors(plan: Plan): ReadonlyMap<string, ReadonlySet<string>> {
  const byName = new Map(plan.jobs.map((j) => [j.name, j]));
  const memo = new Map<string, Set<string>>();
  const visit = (name: string): Set<string> => {
    const known = memo.get(name);
    if (known !== undefined) return known;
    const out = new Set<string>();
    memo.set(name, out);
    for (const r of byName.get(name)?.requires ?? []) {
      for (const required of requiredJobs(r)) {
        // A job started beside its service (RUNNING) still waits for what the service waited for.
        if (r.condition !== 'RUNNING') out.add(required);
        for (const a of visit(required)) out.add(a);
      }
    }
    return out;
  };
  for (const job of plan.jobs) visit(job.name);
  return memo;
}

/** Every job a job depends on, through any condition (the tasks whose `.ip` it may name). */
export function allAncestors(plan: Plan): ReadonlyMap<string, ReadonlySet<string>> {
  const byName = new Map(plan.jobs.map((j) => [j.name, j]));
  const memo = new Map<string, Set<string>>();
  const visit = (name: string): Set<string> => {
    const known = memo.get(name);
    if (known !== undefined) return known;
    const out = new Set<string>();
    memo.set(name, out);
    for (const r of byName.get(name)?.requires ?? []) {
      for (const required of requiredJobs(r)) {
        out.add(required);
        for (const a of visit(required)) out.add(a);
      }
    }
    return out;
  };
  for (const job of plan.jobs) visit(job.name);
  return memo;
}

/**
 * Whether two jobs may run at the same time on Argo: unless one waits for the other to end.
 * A daemon never ends before the DAG does, so waiting for one (RUNNING) orders nothing.
 */
export function overlapCheck(
  plan: Plan,
  daemons: ReadonlySet<string>,
): (a: string, b: string) => boolean {
  const ordered = orderedAncestors(plan);
  const after = (x: string, y: string): boolean =>
    (ordered.get(x)?.has(y) ?? false) && !daemons.has(y);
  return (a, b) => !after(a, b) && !after(b, a);
}
