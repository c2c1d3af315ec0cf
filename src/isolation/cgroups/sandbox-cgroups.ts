/**
 * A job's cgroups owned by rnx-sandbox (sandbox/cgroups.c), rnx's default sandbox program: it
 * makes them before the job's namespaces, writes their limits, moves the job's PID 1 into them
 * before it says that pid on the info fd, and after the job's end takes its readings and removes
 * them, reporting both on the status fd before the exit code. rnx's thread then makes no cgroup system call for the job:
 * measured on a 300-job workflow, the cgroups rnx made, joined, read and removed were 17 to 22%
 * of its time (README, "The job's sandbox"). With bwrap, rnx does all of it itself
 * (job-cgroup.ts, procs.ts), as it does for a detached job, whose supervisor reads no report.
 */
import type { Problem } from '../../problem.js';
import type { Resources } from '../../validate/model.js';
import { existsSync } from 'node:fs';
import { createJobCgroup, withoutDirs, type CgroupPlan, type JobCgroup } from './job-cgroup.js';
import type { CgroupLayout } from './layout.js';
import { removeJobCgroup } from './procs.js';
import { READING_NAMES, usageReadings, type Readings } from './metrics.js';

/** What rnx-sandbox says of the job's cgroups after its end. */
export interface CgroupReport {
  /** False when a directory stayed (rnx removes it: procs.ts). */
  readonly removed: boolean;
  readonly readings: Readings;
}

/**
 * The job's cgroups as rnx-sandbox made them, once the job's PID 1 exists: without an optional
 * directory it could not make (`--cgroup-if`), which nothing may then join or write (an exec
 * probe joins every cgroup.procs of the job; a stop writes cgroup.kill).
 */
export function sandboxMade(plan: CgroupPlan): JobCgroup {
  return withoutDirs(
    plan.cgroup,
    plan.optional.filter((dir) => !existsSync(dir)),
  );
}

/** The plan as rnx-sandbox's options. */
export function sandboxCgroupArgs(plan: CgroupPlan): string[] {
  return [
    ...plan.required.flatMap((dir) => ['--cgroup', dir]),
    ...plan.optional.flatMap((dir) => ['--cgroup-if', dir]),
    ...plan.writes.flatMap((w) => [w.optional ? '--cgroup-try' : '--cgroup-set', w.file, w.value]),
    ...usageReadings(plan.cgroup).flatMap((r) => ['--cgroup-read', r.name, r.file, r.token]),
  ];
}

/** The report in a status-fd object (`{"cgroup": {...}}`); undefined when it holds none. */
export function cgroupReportIn(value: Record<string, unknown>): CgroupReport | undefined {
  const report = value['cgroup'];
  if (typeof report !== 'object' || report === null) return undefined;
  const fields = report as Record<string, unknown>;
  const readings: Readings = {};
  for (const name of READING_NAMES) {
    const reading = fields[name];
    if (typeof reading === 'number') readings[name] = reading;
  }
  return { removed: fields['removed'] === true, readings };
}

/**
 * Why rnx-sandbox could not make the job's cgroups (it says so on the job's stderr, as text),
 * found again by making them here once it has ended: the problem, or undefined when they can be
 * made (they are removed again; the start failed for another reason).
 */
export async function cgroupProblem(
  jobId: string,
  resources: Resources,
  plan: CgroupPlan,
  layout?: CgroupLayout,
): Promise<Problem | undefined> {
  // What a sandbox killed half-way left.
  await removeJobCgroup(plan.cgroup);
  const made = await createJobCgroup(jobId, resources, layout);
  if (!made.ok) return made.problem;
  await removeJobCgroup(made.value);
  return undefined;
}
