/** `rnx job list [--json]`: every job, newest first. */
import { openDatabase, stateDir } from '../../state/database.js';
import { listJobs } from '../../isolation/job-store.js';
import type { Command } from '../context.js';
import { EXIT } from '../context.js';
import { commandText, durationText, exitText, jobJson } from '../job-view.js';
import { flagOption } from '../args.js';
import { formatTable, printJson, writeLine } from '../print.js';

export const command: Command = {
  path: 'job list',
  usage: 'rnx job list [--json]',
  summary: 'List jobs, newest first',
  details: `Examples:
  rnx job list
  rnx job list --json | jq -r '.[] | select(.status == "RUNNING") | .id'`,
  options: { json: { type: 'boolean', description: 'print a JSON array' } },
  run(ctx, args) {
    const jobs = listJobs(openDatabase(stateDir(ctx.env)));
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
