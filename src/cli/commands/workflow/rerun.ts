/**
 * `rnx workflow rerun RUN [--all]`: runs again the jobs of a finished run that did not complete,
 * and everything downstream of them, reading the workflow file again; completed jobs are reused
 * (outputs and artifacts) unless their definition changed.
 */
import { noSuchRun, oneRef } from '../../record-refs.js';
import { findRun, newRunId, reconcileRuns, runJobs } from '../../../engine/records.js';
import { prepareRerun } from '../../../engine/rerun.js';
import { isAlive } from '../../../isolation/records/proc-identity.js';
import { sharedDatabase, stateDir } from '../../../state/database.js';
import { selectJobs } from '../../../validate/plan/select-jobs.js';
import { flagOption } from '../../args.js';
import type { Command } from '../../context.js';
import { EXIT } from '../../context.js';
import { envFileValues } from '../../env-file-flag.js';
import { printProblem, writeLine } from '../../print.js';
import { loadPlanForCli, runPlan } from '../../workflow-run/run.js';

export const command: Command = {
  path: 'workflow rerun',
  usage: 'rnx workflow rerun RUN [--all] [--concurrency=N] [--env-file=FILE] [--json]',
  needs: () => ({ root: 'its jobs run in namespaces and cgroups that only root can make' }),
  summary: 'Run again the jobs of a finished run that did not complete, and what follows them',
  details: `The workflow file is read again. Jobs that completed are not run again: their outputs
and artifacts are reused, unless their definition changed in the file (then they run again, and
so does everything downstream). The new run records which run it re-ran.
Examples:
  rnx workflow rerun wr-1a2b3c4d
  rnx workflow rerun wr-1a2b --all       (every job again)`,
  options: {
    all: { type: 'boolean', description: 'run every job again' },
    concurrency: { type: 'string', valueName: 'N', description: 'at most N jobs at once' },
    'env-file': {
      type: 'string',
      multiple: true,
      valueName: 'FILE',
      description: 'dotenv file for variables given without a value',
    },
    json: { type: 'boolean', description: 'print JSON lines (events)' },
  },
  async run(ctx, args) {
    const id = oneRef(ctx, args.positionals, {
      message: 'rnx workflow rerun takes one run id',
      hint: "see 'rnx workflow list'",
    });
    if (id === undefined) return EXIT.usage;
    const dir = stateDir(ctx.env);
    // The process's one connection: the catalog and the run use it too.
    const db = sharedDatabase(dir);
    reconcileRuns(db, isAlive);
    const run = findRun(db, id);
    if (run === undefined) {
      return noSuchRun(ctx, db, id);
    }
    if (run.status === 'RUNNING') {
      printProblem(ctx, {
        code: 'run-not-finished',
        message: `run ${run.id} is still running`,
        hint: 'wait for it to end, or stop it first',
      });
      return EXIT.usage;
    }
    if (run.path === null) {
      printProblem(ctx, {
        code: 'usage',
        message: `run ${run.id} was recorded before reruns existed: its file is unknown`,
        hint: `run it again with 'rnx job run --workflow=${run.file}'`,
      });
      return EXIT.usage;
    }
    const target = {
      file: run.workflowKey === null ? run.path : `${run.path}:${run.workflowKey}`,
      jobs: runJobs(db, run.id).map((j) => j.name),
      runId: run.id,
    };
    const envFile = envFileValues(ctx, args);
    if (!envFile.ok) {
      printProblem(ctx, envFile.problem);
      return EXIT.usage;
    }
    const json = flagOption(args.options, 'json');
    const loaded = await loadPlanForCli(ctx, {
      target: target.file,
      json,
      run: true,
      envFile: envFile.value,
    });
    if (!loaded.ok) return loaded.exitCode;
    // The jobs of the earlier run (it may have been a --job selection), as the file now has them.
    const known = target.jobs.filter((name) => loaded.plan.jobs.some((j) => j.name === name));
    const picked = known.length === 0 ? undefined : selectJobs(loaded.plan, known);
    const plan = picked?.ok === true ? picked.plan : loaded.plan;
    const runId = newRunId();
    const again = findRun(db, target.runId);
    if (again === undefined) return EXIT.failed;
    const rerun = prepareRerun(db, dir, again, plan, flagOption(args.options, 'all'), runId);
    if (rerun.choice.rerun.length === 0) {
      writeLine(
        ctx.stdout,
        `nothing to run again: every job of ${target.runId} completed and is unchanged (--all runs them all)`,
      );
      return EXIT.ok;
    }
    if (!json) {
      for (const { job, why } of rerun.choice.rerun)
        writeLine(ctx.stdout, `${job}: runs again: ${why}`);
      for (const job of rerun.choice.reuse)
        writeLine(ctx.stdout, `${job}: reused from ${target.runId}`);
    }
    return runPlan(ctx, plan, args, { runId, reuse: rerun.reuse });
  },
};
