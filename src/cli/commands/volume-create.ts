/** `rnx volume create NAME`: a named persistent directory, mounted at /volumes/NAME in jobs. */
import { createVolume } from '../../isolation/filesystem/volumes.js';
import type { Command } from '../context.js';
import { EXIT } from '../context.js';
import { writeLine } from '../print.js';
import { openState, positionalsOrProblem, reportProblem } from '../stores.js';

export const command: Command = {
  path: 'volume create',
  usage: 'rnx volume create NAME',
  summary: 'Create a named volume that jobs mount read-write at /volumes/NAME',
  details: `Examples:
  rnx volume create pgdata
  rnx job run --volume=pgdata sh -c 'date >> /volumes/pgdata/runs'`,
  options: {},
  run(ctx, args) {
    const usage = positionalsOrProblem(args.positionals, ['NAME']);
    if (usage !== undefined) return Promise.resolve(reportProblem(ctx, usage));
    const { db, dir } = openState(ctx);
    try {
      const created = createVolume(db, dir, args.positionals[0] ?? '');
      if (!created.ok) return Promise.resolve(reportProblem(ctx, created.problem));
      writeLine(ctx.stdout, `created volume ${created.value.name} (${created.value.path})`);
      return Promise.resolve(EXIT.ok);
    } finally {
      db.close();
    }
  },
};
