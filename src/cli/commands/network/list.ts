/** `rnx network list [--json]`: the guide's table (NAME CIDR BRIDGE) or JSON, built-ins first. */
import type { Command } from '../../context.js';
import { EXIT } from '../../context.js';
import { formatTable, printJson, writeLine } from '../../print.js';
import { flagOption } from '../../args.js';
import { sharedDatabase, stateDir } from '../../../state/database.js';
import { listNetworks } from '../../../networks/store.js';

export const command: Command = {
  path: 'network list',
  usage: 'rnx network list [--json]',
  summary: 'List networks: built-ins first, then custom networks by name',
  details: `Examples:
  rnx network list
  rnx network list --json | jq -r '.networks[].name'`,
  options: { json: { type: 'boolean', description: 'print {"networks":[...]}' } },
  maxPositionals: 0,
  run(ctx, args) {
    const db = sharedDatabase(stateDir(ctx.env));
    const networks = listNetworks(db);
    if (flagOption(args.options, 'json')) {
      printJson(ctx, {
        networks: networks.map((n) => ({
          name: n.name,
          cidr: n.cidr,
          bridge: n.bridge,
          builtin: n.builtin,
          internal: n.internal,
          mode: n.mode,
        })),
      });
    } else {
      const rows = networks.map((n) => [n.name, n.cidr || '-', n.bridge || '-']);
      writeLine(ctx.stdout, formatTable(['NAME', 'CIDR', 'BRIDGE'], rows));
    }
    return Promise.resolve(EXIT.ok);
  },
};
