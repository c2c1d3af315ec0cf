/** `rnx workflow list`: every recorded workflow run, newest first. */
import { listRuns, reconcileRuns } from '../../../engine/records.js';
import { sharedDatabase, stateDir } from '../../../state/database.js';
import { flagOption } from '../../args.js';
import type { Command } from '../../context.js';
import { EXIT } from '../../context.js';
import { formatTable, printJson, writeLine } from '../../print.js';
import { formatDuration } from '../../reporters/format.js';
import { isAlive } from '../../../isolation/records/proc-identity.js';

export const command: Command = {
  path: 'workflow list',
  maxPositionals: 0,
  usage: 'rnx workflow list [--json]',
  summary: 'List workflow runs, newest first',
  details: `Examples:
  rnx workflow list
  rnx workflow list --json | jq -r '.[0].id'`,
  options: { json: { type: 'boolean', description: 'print a JSON array' } },
  run(ctx, args) {
    const db = sharedDatabase(stateDir(ctx.env));
    reconcileRuns(db, isAlive);
    const runs = listRuns(db);
    if (flagOption(args.options, 'json')) {
      printJson(ctx, runs);
      return Promise.resolve(EXIT.ok);
    }
    if (runs.length === 0) {
      writeLine(ctx.stdout, 'no workflow runs yet: rnx job run --workflow=FILE starts one');
      return Promise.resolve(EXIT.ok);
    }
    const rows = runs.map((r) => [
      r.id,
      r.workflow,
      r.status,
      String(r.jobs),
      r.startedAt.replace('T', ' ').slice(0, 19),
      r.endedAt === null ? '-' : formatDuration(Date.parse(r.endedAt) - Date.parse(r.startedAt)),
      r.file,
    ]);
    writeLine(
      ctx.stdout,
      formatTable(['ID', 'WORKFLOW', 'STATUS', 'JOBS', 'STARTED', 'DURATION', 'FILE'], rows),
    );
    return Promise.resolve(EXIT.ok);
  },
};
