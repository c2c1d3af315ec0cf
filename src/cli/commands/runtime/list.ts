/** `rnx runtime list [--json]`. */
import { listRuntimes } from '../../../isolation/filesystem/runtimes.js';
import type { Command } from '../../context.js';
import { EXIT } from '../../context.js';
import { flagOption } from '../../args.js';
import { formatTable, printJson, writeLine } from '../../print.js';
import { openState } from '../../stores.js';

export const command: Command = {
  path: 'runtime list',
  usage: 'rnx runtime list [--json]',
  summary: 'List registered runtimes',
  options: { json: { type: 'boolean', description: 'print a JSON array' } },
  maxPositionals: 0,
  run(ctx, args) {
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
