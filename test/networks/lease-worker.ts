/**
 * A separate process for the concurrency tests: leases COUNT addresses of NETWORK (one job id per
 * lease), prints one JSON line with the results, then stays alive until its stdin closes, so that
 * its leases are not stale while the other workers still run.
 *   node lease-worker.js STATE_DIR NETWORK PREFIX COUNT
 */
import { openDatabase } from '../../src/state/database.js';
import { leaseAddress } from '../../src/networks/leases.js';
import { currentProcessOwner } from '../../src/networks/owner.js';

const [dir = '', network = '', prefix = '', count = '0'] = process.argv.slice(2);
const db = openDatabase(dir);
const results: { jobId: string; address?: string; code?: string; message?: string }[] = [];
for (let i = 0; i < Number(count); i++) {
  const jobId = `${prefix}-${String(i)}`;
  const r = leaseAddress(db, network, currentProcessOwner(jobId));
  results.push(
    r.ok
      ? { jobId, address: r.value.address }
      : { jobId, code: r.problem.code, message: r.problem.message },
  );
}
db.close();
process.stdout.write(`${JSON.stringify(results)}\n`);
process.stdin.resume();
process.stdin.on('end', () => process.exit(0));
