/**
 * `rnx job list [--status S] [--workflow RUN] [--network NAME] [--limit N] [--json]`: jobs, newest
 * first, the most recent 50 unless --limit says otherwise (0: all), with a line saying how many
 * more match; with --workflow, the jobs of one workflow run (each attempt) in the workflow's order.
 */
import { sharedDatabase, stateDir } from '../../../state/database.js';
import {
  getJob,
  listJobs,
  type JobFilter,
  type JobRecord,
} from '../../../isolation/records/job-store.js';
import type { JobStatus } from '../../../isolation/job-spec.js';
import { fail, ok, type Result } from '../../../problem.js';
import type { ParsedArgs } from '../../args.js';
import { findRun, runAttemptJobIds } from '../../../engine/records.js';
import type { Database } from '../../../state/database.js';
import type { Command } from '../../context.js';
import { EXIT } from '../../context.js';
import { commandText, durationText, exitText, jobJson } from '../../format/job.js';
import { flagOption, stringOption } from '../../args.js';
import { formatTable, printJson, printProblem, writeLine } from '../../print.js';
import { noSuchRun } from '../../record-refs.js';

const DEFAULT_LIMIT = 50;

export const command: Command = {
  path: 'job list',
  maxPositionals: 0,
  usage: 'rnx job list [--status S] [--workflow RUN] [--network NAME] [--limit N] [--json]',
  summary: 'List jobs, newest first',
  details: `Examples:
  rnx job list
  rnx job list --json | jq -r '.[] | select(.status == "RUNNING") | .id'
  rnx job list --workflow wr-3f9c2a1b      (every attempt of every job of one workflow run)
  rnx job list --status RUNNING --network app
  rnx job list --status FAILED,STOPPED --limit 0`,
  options: {
    status: {
      type: 'string',
      valueName: 'S[,S...]',
      description:
        'only jobs in these states: PENDING, RUNNING, COMPLETED, FAILED, STOPPED, CANCELED',
    },
    network: { type: 'string', valueName: 'NAME', description: 'only jobs on this network' },
    limit: {
      type: 'string',
      valueName: 'N',
      description: `the N most recent (default ${String(DEFAULT_LIMIT)}; 0 for all)`,
    },
    json: { type: 'boolean', description: 'print a JSON array' },
    workflow: {
      type: 'string',
      valueName: 'ID',
      description: 'only the jobs of this workflow run (see rnx workflow list)',
    },
  },
  run(ctx, args) {
    const filter = filterOf(args.options);
    if (!filter.ok) {
      printProblem(ctx, filter.problem);
      return Promise.resolve(EXIT.usage);
    }
    const db = sharedDatabase(stateDir(ctx.env));
    const runId = stringOption(args.options, 'workflow');
    const listed =
      runId === undefined ? listJobs(db, filter.value) : workflowJobs(db, runId, filter.value);
    if (listed === undefined) return Promise.resolve(noSuchRun(ctx, db, runId ?? ''));
    const { jobs, total } = listed;
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
    if (total > jobs.length) {
      const hidden = total - jobs.length;
      writeLine(
        ctx.stdout,
        `(${String(hidden)} older job${hidden === 1 ? '' : 's'} not shown; --limit 0 shows all)`,
      );
    }
    return Promise.resolve(EXIT.ok);
  },
};

const STATUSES: readonly JobStatus[] = [
  'PENDING',
  'RUNNING',
  'COMPLETED',
  'FAILED',
  'STOPPED',
  'CANCELED',
];

function filterOf(options: ParsedArgs['options']): Result<JobFilter> {
  const limitText = stringOption(options, 'limit');
  if (limitText !== undefined && !/^[0-9]{1,9}$/.test(limitText)) {
    return fail(
      'usage',
      `--limit takes a whole number (got '${limitText}')`,
      '--limit 0 lists all',
    );
  }
  const statusText = stringOption(options, 'status');
  const statuses = statusText?.split(',').map((s) => s.trim().toUpperCase());
  const wrong = statuses?.find((s) => !(STATUSES as readonly string[]).includes(s));
  if (wrong !== undefined) {
    return fail('usage', `unknown status '${wrong}'`, `use ${STATUSES.join(', ')}`);
  }
  const network = stringOption(options, 'network');
  return ok({
    limit: limitText === undefined ? DEFAULT_LIMIT : Number(limitText),
    ...(statuses === undefined ? {} : { statuses: statuses as JobStatus[] }),
    ...(network === undefined ? {} : { network }),
  });
}

/** Every attempt of a workflow run, in the workflow's job order; undefined when no such run. */
function workflowJobs(
  db: Database,
  runId: string,
  filter: JobFilter,
): { jobs: JobRecord[]; total: number } | undefined {
  const run = findRun(db, runId);
  if (run === undefined) return undefined;
  const all = runAttemptJobIds(db, run.id).flatMap((id) => {
    const job = getJob(db, id);
    if (job === undefined) return [];
    if (filter.statuses !== undefined && !filter.statuses.includes(job.status)) return [];
    if (filter.network !== undefined && job.network !== filter.network) return [];
    return [job];
  });
  return { jobs: filter.limit === 0 ? all : all.slice(0, filter.limit), total: all.length };
}
