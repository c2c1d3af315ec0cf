/**
 * Which jobs a rerun runs again, pure: every job that did not complete in the earlier run (FAILED,
 * CANCELED, STOPPED, timed out), every job whose definition changed since (or that is new in the
 * file), and everything downstream of those; with `all`, every job. The others are reused: their
 * outputs and artifacts stand in for a run.
 */
import type { Plan } from '../validate/model.js';
import { definitionOf } from './definition.js';

export interface PreviousJob {
  readonly name: string;
  readonly status: string;
  readonly definition: string | null;
}

export interface RerunChoice {
  /** Jobs not run again, in plan order. */
  readonly reuse: readonly string[];
  /** Jobs run again, in plan order, each with why. */
  readonly rerun: readonly { readonly job: string; readonly why: string }[];
}

export function chooseRerun(
  plan: Plan,
  previous: readonly PreviousJob[],
  all: boolean,
): RerunChoice {
  const before = new Map(previous.map((j) => [j.name, j]));
  const jobs = new Map(plan.jobs.map((j) => [j.name, j]));
  const why = new Map<string, string>();
  // Waves put every job after the jobs it requires, so "downstream" is known when we get there.
  for (const name of plan.waves.flat()) {
    const job = jobs.get(name);
    if (job === undefined) continue;
    const prev = before.get(name);
    const upstream = job.requires.flatMap((r) => r.of ?? [r.job]).find((r) => why.has(r));
    const reason = all
      ? 'all jobs run again (--all)'
      : prev === undefined
        ? 'it is new in the file'
        : prev.status !== 'COMPLETED'
          ? `it ended ${prev.status}`
          : prev.definition !== definitionOf(job)
            ? 'its definition changed since'
            : upstream !== undefined
              ? `it requires ${upstream}, which runs again`
              : undefined;
    if (reason !== undefined) why.set(name, reason);
  }
  return {
    reuse: plan.jobs.filter((j) => !why.has(j.name)).map((j) => j.name),
    rerun: plan.jobs.flatMap((j) => {
      const reason = why.get(j.name);
      return reason === undefined ? [] : [{ job: j.name, why: reason }];
    }),
  };
}
