/** `rnx volume list [--json]`. */
import { listVolumes } from '../../../isolation/filesystem/volumes.js';
import type { Command } from '../../context.js';
import { EXIT } from '../../context.js';
import { flagOption } from '../../args.js';
import { formatTable, printJson, writeLine } from '../../print.js';
import { openState } from '../../stores.js';

export const command: Command = {
  path: 'volume list',
  usage: 'rnx volume list [--json]',
  summary: 'List volumes and the running jobs that use them',
  options: { json: { type: 'boolean', description: 'print a JSON array' } },
  maxPositionals: 0,
  run(ctx, args) {
    const { db, dir } = openState(ctx);
    const volumes = listVolumes(db, dir);
    if (flagOption(args.options, 'json')) {
      printJson(ctx, volumes);
    } else {
      const rows = volumes.map((v) => [
        v.name,
        v.usedBy.join(',') || '-',
        `${String(v.owner.uid)}:${String(v.owner.gid)}`,
        v.path,
      ]);
      writeLine(ctx.stdout, formatTable(['NAME', 'USED BY', 'OWNER', 'PATH'], rows));
    }
    return Promise.resolve(EXIT.ok);
  },
};
