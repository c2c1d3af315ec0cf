/** `rnx runtime list [--json]`. */
import { listRuntimes } from '../../../isolation/filesystem/runtimes.js';
import type { Command } from '../../context.js';
import { EXIT } from '../../context.js';
import { flagOption } from '../../args.js';
import { formatTable, printJson, writeLine } from '../../print.js';
import { openState, positionalsOrProblem, reportProblem } from '../../stores.js';

export const command: Command = {
  path: 'runtime list',
  usage: 'rnx runtime list [--json]',
  summary: 'List registered runtimes',
  options: { json: { type: 'boolean', description: 'print a JSON array' } },
  run(ctx, args) {
    const usage = positionalsOrProblem(args.positionals, []);
    if (usage !== undefined) return Promise.resolve(reportProblem(ctx, usage));
    const { db } = openState(ctx);
    const runtimes = listRuntimes(db);
    if (flagOption(args.options, 'json')) {
      printJson(ctx, runtimes);
    } else {
      const rows = runtimes.map((r) => [r.name, r.root]);
      writeLine(ctx.stdout, formatTable(['NAME', 'ROOT'], rows));
    }
    return Promise.resolve(EXIT.ok);
  },
};
