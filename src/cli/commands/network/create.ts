/** `rnx network create NAME --cidr=CIDR [--internal]`. */
import type { Command } from '../../context.js';
import { EXIT } from '../../context.js';
import { printJson, printProblem, writeLine } from '../../print.js';
import { stringOption, flagOption } from '../../args.js';
import { sharedDatabase, stateDir } from '../../../state/database.js';
import { readHostFacts } from '../../../networks/host-conflicts.js';
import { createNetwork, validateNetworkInput } from '../../../networks/manage.js';
import { exitCodeFor } from '../../exit-codes.js';
import { NAME_RULES } from '../../../names.js';

export const command: Command = {
  path: 'network create',
  usage: 'rnx network create NAME --cidr=CIDR [--internal]',
  needs: () => ({ root: 'it makes a bridge and firewall rules', tools: ['networks'] }),
  summary: 'Create a network with its own CIDR and bridge',
  details: `Examples:
  rnx network create development --cidr=10.1.0.0/24
  rnx network create db-net --cidr=10.20.0.0/24 --internal

Names: ${NAME_RULES.network}.
The CIDR must be a network address with a prefix of /30 or shorter, outside the ranges no job
network can use (0.0.0.0/8, 127.0.0.0/8, 169.254.0.0/16, multicast 224.0.0.0/4, reserved
240.0.0.0/4), and must not overlap another network, the host's addresses, routes (other than the
default route) or DNS servers.
Jobs on a network reach each other; --internal networks cannot leave their subnet (no NAT).`,
  options: {
    cidr: { type: 'string', valueName: 'CIDR', description: 'address range, e.g. 10.10.0.0/24' },
    internal: { type: 'boolean', description: 'no outside access: jobs only reach their network' },
    json: { type: 'boolean', description: 'print the created network as JSON' },
  },
  async run(ctx, args) {
    const [name, ...extra] = args.positionals;
    const cidr = stringOption(args.options, 'cidr');
    if (name === undefined || extra.length > 0 || cidr === undefined) {
      printProblem(ctx, {
        code: 'usage',
        message:
          name === undefined || extra.length > 0
            ? 'rnx network create takes exactly one NAME'
            : '--cidr is required',
        hint: `usage: ${this.usage}`,
      });
      return EXIT.usage;
    }
    const input = { name, cidr, internal: flagOption(args.options, 'internal') };
    const valid = validateNetworkInput(input);
    if (!valid.ok) {
      printProblem(ctx, valid.problem);
      return exitCodeFor(valid.problem);
    }
    // The host's addresses and routes are read by child processes meanwhile (and while the
    // database opens, when this command is the first to use it).
    const hostFacts = readHostFacts();
    const db = sharedDatabase(stateDir(ctx.env));
    const created = await createNetwork(db, input, { hostFacts });
    if (!created.ok) {
      printProblem(ctx, created.problem);
      return exitCodeFor(created.problem);
    }
    const n = created.value;
    if (flagOption(args.options, 'json')) printJson(ctx, n);
    else writeLine(ctx.stdout, `created network ${n.name} (${n.cidr}) on bridge ${n.bridge}`);
    return EXIT.ok;
  },
};
