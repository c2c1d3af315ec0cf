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

/** For each daemon, the jobs that require it RUNNING, in file order, each once. */
export function daemonClients(plan: Plan): ReadonlyMap<string, readonly string[]> {
  const out = new Map<string, string[]>();
  for (const job of plan.jobs) {
    for (const r of job.requires) {
      if (r.condition !== 'RUNNING') continue;
      for (const name of requiredJobs(r)) {
        const list = out.get(name) ?? [];
        if (list[list.length - 1] !== job.name) list.push(job.name);
        out.set(name, list);
      }
    }
  }
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

/** Each job's wave (its place in a topological order: what it requires is in earlier waves). */
export function waveOf(plan: Plan): ReadonlyMap<string, number> {
  const out = new Map<string, number>();
  plan.waves.forEach((wave, i) => {
    for (const name of wave) out.set(name, i);
  });
  return out;
}

/**
 * For each job, the daemons it depends on, directly or not, through any condition (the tasks
 * whose `.ip` it may name). Only daemons are kept, and a job that adds none shares the set of
 * what it requires, so a long chain without daemons costs one empty set, not a set per ancestor.
 * Jobs are taken wave by wave (no recursion: a chain may be tens of thousands of jobs long).
 */
export function daemonAncestors(
  plan: Plan,
  daemons: ReadonlySet<string>,
): ReadonlyMap<string, ReadonlySet<string>> {
  const byName = new Map(plan.jobs.map((j) => [j.name, j]));
  const none: ReadonlySet<string> = new Set<string>();
  const memo = new Map<string, ReadonlySet<string>>();
  for (const name of plan.waves.flat()) {
    let out: ReadonlySet<string> = none;
    for (const r of byName.get(name)?.requires ?? []) {
      for (const required of requiredJobs(r)) {
        const theirs = memo.get(required) ?? none;
        const adds = daemons.has(required) && !out.has(required);
        if (!adds && isSubset(theirs, out)) continue;
        if (!adds && isSubset(out, theirs)) {
          out = theirs;
          continue;
        }
        const union = new Set(out);
        for (const a of theirs) union.add(a);
        if (daemons.has(required)) union.add(required);
        out = union;
      }
    }
    memo.set(name, out);
  }
  return memo;
}

function isSubset(a: ReadonlySet<string>, b: ReadonlySet<string>): boolean {
  if (a === b || a.size === 0) return true;
  if (a.size > b.size) return false;
  for (const x of a) if (!b.has(x)) return false;
  return true;
}

/**
 * Whether two jobs may run at the same time on Argo: unless one waits for the other to end.
 * A daemon never ends before the DAG does, so waiting for one (RUNNING) orders nothing.
 * "x waits for y" follows every requirement but RUNNING's own edge (a job started beside its
 * service still waits for what the service waited for). Each answer is a walk up from x that
 * stops at y's wave, done only when asked (for jobs that share a volume): nothing per job is kept.
 */
export function overlapCheck(
  plan: Plan,
  daemons: ReadonlySet<string>,
): (a: string, b: string) => boolean {
  const byName = new Map(plan.jobs.map((j) => [j.name, j]));
  const waves = waveOf(plan);
  const waitsFor = (x: string, y: string): boolean => {
    const floor = waves.get(y) ?? 0;
    if (daemons.has(y) || (waves.get(x) ?? 0) <= floor) return false;
    const seen = new Set<string>([x]);
    const stack = [x];
    for (let name = stack.pop(); name !== undefined; name = stack.pop()) {
      for (const r of byName.get(name)?.requires ?? []) {
        for (const required of requiredJobs(r)) {
          if (required === y && r.condition !== 'RUNNING') return true;
          if (seen.has(required) || (waves.get(required) ?? 0) <= floor) continue;
          seen.add(required);
          stack.push(required);
        }
      }
    }
    return false;
  };
  return (a, b) => !waitsFor(a, b) && !waitsFor(b, a);
}
