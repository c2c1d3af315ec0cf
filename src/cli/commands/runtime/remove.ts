/** `rnx runtime remove NAME`: forgets a runtime (its directory is left as it is). */
import { removeRuntime } from '../../../isolation/filesystem/runtimes.js';
import type { Command } from '../../context.js';
import { EXIT } from '../../context.js';
import { writeLine } from '../../print.js';
import { openState, positionalsOrProblem, reportProblem } from '../../stores.js';

export const command: Command = {
  path: 'runtime remove',
  usage: 'rnx runtime remove NAME',
  summary: 'Forget a registered runtime (its directory is not touched)',
  options: {},
  run(ctx, args) {
    const usage = positionalsOrProblem(args.positionals, ['NAME']);
    if (usage !== undefined) return Promise.resolve(reportProblem(ctx, usage));
    const name = args.positionals[0] ?? '';
    const { db } = openState(ctx);
    const removed = removeRuntime(db, name);
    if (!removed.ok) return Promise.resolve(reportProblem(ctx, removed.problem));
    writeLine(ctx.stdout, `removed runtime ${name}`);
    return Promise.resolve(EXIT.ok);
  },
};
