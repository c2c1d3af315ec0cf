/** `rnx network remove NAME`: removes the bridge, its rules and its record. */
import type { Command } from '../../context.js';
import { EXIT } from '../../context.js';
import { printProblem, writeLine } from '../../print.js';
import { sharedDatabase, stateDir } from '../../../state/database.js';
import { removeNetwork } from '../../../networks/manage.js';
import { exitCodeFor } from '../../exit-codes.js';

export const command: Command = {
  path: 'network remove',
  usage: 'rnx network remove NAME',
  needs: () => ({ root: 'it removes a bridge and firewall rules', tools: ['networks'] }),
  summary: 'Remove a custom network (refused while a job holds an address in it)',
  details: `Examples:
  rnx network remove development`,
  options: {},
  async run(ctx, args) {
    const [name, ...extra] = args.positionals;
    if (name === undefined || extra.length > 0) {
      printProblem(ctx, { code: 'usage', message: 'rnx network remove takes exactly one NAME' });
      return EXIT.usage;
    }
    const db = sharedDatabase(stateDir(ctx.env));
    const removed = await removeNetwork(db, name);
    if (!removed.ok) {
      printProblem(ctx, removed.problem);
      return exitCodeFor(removed.problem);
    }
    writeLine(ctx.stdout, `removed network ${name}`);
    return EXIT.ok;
  },
};
