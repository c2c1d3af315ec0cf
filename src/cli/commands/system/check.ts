/** `rnx system check [--json]`: what this host offers rnx and what it lacks, with the fix for each. */
import { checkHost } from '../../../isolation/start/host-check.js';
import type { Command } from '../../context.js';
import { EXIT } from '../../context.js';
import { flagOption } from '../../args.js';
import { printJson, writeLine } from '../../print.js';

export const command: Command = {
  path: 'system check',
  maxPositionals: 0,
  usage: 'rnx system check [--json]',
  summary: 'Check that this host can run jobs: privileges, namespaces, cgroups and tools',
  details: `Exits 0 when everything is there, 3 when something is missing: MISSING for what every job
needs, missing for what some jobs or commands need (a tool such as nft, needed by jobs on a
network). Each gap is listed with the Debian package or setting that provides it. Tools are looked
up on PATH, as rnx looks them up when it runs them.`,
  options: { json: { type: 'boolean', description: 'print a JSON array of checks' } },
  run(ctx, args) {
    const items = checkHost();
    const missing = items.some((i) => !i.ok);
    if (flagOption(args.options, 'json')) {
      printJson(ctx, items);
    } else {
      const width = Math.max(...items.map((i) => i.name.length));
      for (const item of items) {
        const mark = item.ok ? 'ok     ' : item.requiredForJobs ? 'MISSING' : 'missing';
        writeLine(ctx.stdout, `${mark}  ${item.name.padEnd(width)}  ${item.detail}`);
        if (item.hint !== undefined)
          writeLine(ctx.stdout, `${' '.repeat(width + 11)}fix: ${item.hint}`);
      }
    }
    return Promise.resolve(missing ? EXIT.host : EXIT.ok);
  },
};
