/** `rnx network inspect NAME [--json]`: a network's settings and its current leases. */
import type { Command } from '../../context.js';
import { EXIT } from '../../context.js';
import { formatTable, printJson, printProblem, writeLine } from '../../print.js';
import { flagOption } from '../../args.js';
import { sharedDatabase, stateDir } from '../../../state/database.js';
import { gatewayOf, intToIp, mustParseCidr } from '../../../networks/cidr.js';
import { listLeases } from '../../../networks/leases.js';
import { getNetwork } from '../../../networks/store.js';
import { exitCodeFor } from '../../exit-codes.js';

export const command: Command = {
  path: 'network inspect',
  usage: 'rnx network inspect NAME [--json]',
  summary: "Show a network's settings and the addresses its jobs hold",
  details: `Examples:
  rnx network inspect bridge
  rnx network inspect development --json`,
  options: { json: { type: 'boolean', description: 'print one JSON object' } },
  run(ctx, args) {
    const [name, ...extra] = args.positionals;
    if (name === undefined || extra.length > 0) {
      printProblem(ctx, { code: 'usage', message: 'rnx network inspect takes exactly one NAME' });
      return Promise.resolve(EXIT.usage);
    }
    const db = sharedDatabase(stateDir(ctx.env));
    const found = getNetwork(db, name);
    if (!found.ok) {
      printProblem(ctx, found.problem);
      return Promise.resolve(exitCodeFor(found.problem));
    }
    const n = found.value;
    const gateway = n.cidr === '' ? '' : intToIp(gatewayOf(mustParseCidr(n.cidr)));
    const leases = n.cidr === '' ? [] : listLeases(db, n.name);
    if (flagOption(args.options, 'json')) {
      printJson(ctx, {
        ...n,
        gateway,
        leases: leases.map((l) => ({ job: l.jobId, address: l.address, pid: l.pid })),
      });
      return Promise.resolve(EXIT.ok);
    }
    const settings = [
      ['name', n.name],
      ['mode', n.mode],
      ['cidr', n.cidr || '-'],
      ['gateway', gateway || '-'],
      ['bridge', n.bridge || '-'],
      ['builtin', String(n.builtin)],
      ['outside access', n.internal ? 'no (internal)' : 'yes (NAT)'],
    ];
    for (const [key, value] of settings)
      writeLine(ctx.stdout, `${`${key ?? ''}:`.padEnd(16)}${value ?? ''}`);
    writeLine(ctx.stdout);
    if (leases.length === 0) writeLine(ctx.stdout, 'no leases');
    else
      writeLine(
        ctx.stdout,
        formatTable(
          ['JOB', 'ADDRESS', 'PID'],
          leases.map((l) => [l.jobId, l.address, String(l.pid)]),
        ),
      );
    return Promise.resolve(EXIT.ok);
  },
};
