/**
 * A separate process for the concurrency tests: ensures one network on the host and prints the
 * Result as JSON.   node ensure-worker.js NETWORK_JSON
 */
import { ensureNetworkOnHost } from '../../src/networks/host.js';
import type { Network } from '../../src/networks/types.js';

const network = JSON.parse(process.argv[2] ?? '{}') as Network;
const result = await ensureNetworkOnHost(network);
process.stdout.write(`${JSON.stringify(result)}\n`);
