/**
 * `rnx workflow rerun`: from a finished run and the plan of its file read again, the new run's
 * choice (rerun-plan.ts) and what the reused jobs hand on: their recorded outputs, and their
 * artifacts copied into the new run (so that each run keeps its own, whatever is pruned).
 */
import type { Database } from '../state/database.js';
import { copyArtifacts } from '../state/run-files.js';
import type { Plan } from '../validate/model.js';
import { runJobs, type RunRow } from './records.js';
import { chooseRerun, type RerunChoice } from './rerun-plan.js';
import type { Reuse, ReusedJob } from './run.js';

export interface Rerun {
  readonly choice: RerunChoice;
  readonly reuse: Reuse;
}

export function prepareRerun(
  db: Database,
  stateDir: string,
  run: RunRow,
  plan: Plan,
  all: boolean,
  newRunId: string,
): Rerun {
  const previous = runJobs(db, run.id);
  const choice = chooseRerun(plan, previous, all);
  const byName = new Map(previous.map((j) => [j.name, j]));
  const jobs = new Map<string, ReusedJob>();
  for (const name of choice.reuse) {
    const artifactsDir = copyArtifacts(stateDir, run.id, newRunId, name);
    jobs.set(name, {
      outputs: byName.get(name)?.outputs ?? {},
      ...(artifactsDir === undefined ? {} : { artifactsDir }),
    });
  }
  return { choice, reuse: { fromRun: run.id, jobs } };
}
