/** `rnx volume remove NAME`: deletes the volume and its data; refused while a job uses it. */
import { removeVolume } from '../../../isolation/filesystem/volumes.js';
import type { Command } from '../../context.js';
import { EXIT } from '../../context.js';
import { writeLine } from '../../print.js';
import { openState, positionalsOrProblem, reportProblem } from '../../stores.js';

export const command: Command = {
  path: 'volume remove',
  usage: 'rnx volume remove NAME',
  summary: 'Remove a volume and its data (refused while a running job uses it)',
  options: {},
  run(ctx, args) {
    const usage = positionalsOrProblem(args.positionals, ['NAME']);
    if (usage !== undefined) return Promise.resolve(reportProblem(ctx, usage));
    const name = args.positionals[0] ?? '';
    const { db, dir } = openState(ctx);
    const removed = removeVolume(db, dir, name);
    if (!removed.ok) return Promise.resolve(reportProblem(ctx, removed.problem));
    writeLine(ctx.stdout, `removed volume ${name}`);
    return Promise.resolve(EXIT.ok);
  },
};
