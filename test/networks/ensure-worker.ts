/**
 * A separate process for the concurrency tests: ensures one network on the host, with the state
 * database in DIR, and prints the Result as JSON.   node ensure-worker.js NETWORK_JSON DIR
 */
import { ensureNetworkOnHost } from '../../src/networks/host.js';
import type { Network } from '../../src/networks/types.js';
import { openDatabase } from '../../src/state/database.js';

const network = JSON.parse(process.argv[2] ?? '{}') as Network;
const db = openDatabase(process.argv[3] ?? '');
const result = await ensureNetworkOnHost(network, db);
db.close();
process.stdout.write(`${JSON.stringify(result)}\n`);
