/**
 * `rnx job list [--workflow ID] [--json]`: every job, newest first; with --workflow, the jobs of one
 * workflow run (each attempt) in the workflow's order.
 */
import { openDatabase, stateDir } from '../../state/database.js';
import { getJob, listJobs, type JobRecord } from '../../isolation/records/job-store.js';
import { findRun, runAttemptJobIds } from '../../engine/records.js';
import type { Database } from '../../state/database.js';
import type { Command } from '../context.js';
import { EXIT } from '../context.js';
import { commandText, durationText, exitText, jobJson } from '../job-view.js';
import { flagOption, stringOption } from '../args.js';
import { formatTable, printJson, printProblem, writeLine } from '../print.js';

export const command: Command = {
  path: 'job list',
  usage: 'rnx job list [--workflow ID] [--json]',
  summary: 'List jobs, newest first',
  details: `Examples:
  rnx job list
  rnx job list --json | jq -r '.[] | select(.status == "RUNNING") | .id'
  rnx job list --workflow wr-3f9c2a1b      (every attempt of every job of one workflow run)`,
  options: {
    json: { type: 'boolean', description: 'print a JSON array' },
    workflow: {
      type: 'string',
      valueName: 'ID',
      description: 'only the jobs of this workflow run (see rnx workflow list)',
    },
  },
  run(ctx, args) {
    const db = openDatabase(stateDir(ctx.env));
    const runId = stringOption(args.options, 'workflow');
    const jobs = runId === undefined ? listJobs(db) : workflowJobs(db, runId);
    if (jobs === undefined) {
      printProblem(ctx, {
        code: 'not-found',
        message: `no workflow run '${runId ?? ''}'`,
        hint: "see 'rnx workflow list'",
      });
      return Promise.resolve(EXIT.failed);
    }
    if (flagOption(args.options, 'json')) {
      printJson(ctx, jobs.map(jobJson));
      return Promise.resolve(EXIT.ok);
    }
    const rows = jobs.map((j) => [
      j.id,
      j.name ?? '-',
      j.status,
      exitText(j),
      j.network,
      j.address ?? '-',
      j.createdAt.slice(0, 19).replace('T', ' '),
      durationText(j),
      commandText(j),
    ]);
    writeLine(
      ctx.stdout,
      formatTable(
        ['ID', 'NAME', 'STATUS', 'EXIT', 'NETWORK', 'ADDRESS', 'CREATED', 'DURATION', 'COMMAND'],
        rows,
      ),
    );
    return Promise.resolve(EXIT.ok);
  },
};

/** Every attempt of a workflow run, in the workflow's job order; undefined when no such run. */
function workflowJobs(db: Database, runId: string): JobRecord[] | undefined {
  const run = findRun(db, runId);
  if (run === undefined) return undefined;
  return runAttemptJobIds(db, run.id).flatMap((id) => {
    const job = getJob(db, id);
    return job === undefined ? [] : [job];
  });
}
