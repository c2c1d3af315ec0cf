/** `rnx workflow status ID`: one workflow run, job by job. */
import { noSuchRun, oneRef } from '../../record-refs.js';
import { findRun, reconcileRuns, runJobs } from '../../../engine/records.js';
import { sharedDatabase, stateDir } from '../../../state/database.js';
import { flagOption } from '../../args.js';
import type { Command } from '../../context.js';
import { EXIT } from '../../context.js';
import { formatTable, printJson, writeLine } from '../../print.js';
import { isAlive } from '../../../isolation/records/proc-identity.js';

export const command: Command = {
  path: 'workflow status',
  usage: 'rnx workflow status ID [--json]',
  summary: 'Show a workflow run: every job with its status, exit code and dependencies',
  details: `Examples:
  rnx workflow status wr-1a2b3c4d
  rnx workflow status wr-1a2b --json     (a unique prefix of the id is enough)
  rnx job log JOB_ID                     (JOB_ID from the table: the job's last attempt)`,
  options: { json: { type: 'boolean', description: 'print one JSON object' } },
  run(ctx, args) {
    const id = oneRef(ctx, args.positionals, {
      message: 'rnx workflow status takes one run id',
      hint: "see 'rnx workflow list'",
    });
    if (id === undefined) return Promise.resolve(EXIT.usage);
    const db = sharedDatabase(stateDir(ctx.env));
    reconcileRuns(db, isAlive);
    const run = findRun(db, id);
    if (run === undefined) {
      return Promise.resolve(noSuchRun(ctx, db, id));
    }
    const jobs = runJobs(db, run.id);
    if (flagOption(args.options, 'json')) {
      printJson(ctx, { ...run, jobs });
      return Promise.resolve(EXIT.ok);
    }
    const rerun = run.rerunOf === null ? '' : ` (re-run of ${run.rerunOf})`;
    writeLine(
      ctx.stdout,
      `workflow ${run.workflow} (${run.file}), run ${run.id}${rerun}: ${run.status}`,
    );
    const rows = jobs.map((job) => [
      job.name,
      job.status,
      job.exitCode === null ? '-' : String(job.exitCode),
      job.requires
        .map((r) => `${r.job}: ${r.of === undefined ? '' : 'all '}${r.condition}`)
        .join(', ') || '-',
      String(job.attempts),
      job.jobId ?? '-',
      job.cause ?? (job.reason !== null && job.reason !== 'exit' ? job.reason : ''),
    ]);
    writeLine(
      ctx.stdout,
      formatTable(['JOB', 'STATUS', 'EXIT', 'DEPENDENCIES', 'ATTEMPTS', 'JOB ID', 'NOTE'], rows),
    );
    return Promise.resolve(EXIT.ok);
  },
};
