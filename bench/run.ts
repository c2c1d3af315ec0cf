/**
 * `npm run bench [-- FILTER...]`: runs every compiled bench/*.bench.js one after another (each
 * prints its own figures and ratios against a baseline measured in the same run). Network and
 * cgroup benchmarks need root; the whole run happens inside a throwaway network + mount namespace,
 * like the tests, so nothing touches this machine's own network.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { enterSandbox } from '../test/harness/sandbox.js';

const self = fileURLToPath(import.meta.url);
const here = dirname(self);

// Its scratch (a state directory for what runs rnx without one of its own) made before the
// sandbox is entered, as the test harness does: the sandbox then makes no /var/lib/rnx on the host.
const scratch = process.env['RNX_TEST_SCRATCH'] ?? mkdtempSync(join(tmpdir(), 'rnx-bench-'));
enterSandbox(dirname(dirname(here)), self, scratch);

const filters = process.argv.slice(2);
const files = readdirSync(here)
  .filter((f) => f.endsWith('.bench.js'))
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
  .sort();
// rnx's code cache (README: "The code cache") in a scratch directory of this run, not in $HOME.
const cache = mkdtempSync(join(tmpdir(), 'rnx-bench-cache-'));
let failed = 0;
for (const file of files) {
  console.log(`\n== ${file.replace(/\.bench\.js$/, '')} ==`);
  const r = spawnSync(process.execPath, [join(here, file)], {
    stdio: 'inherit',
    env: { ...process.env, RNX_CACHE_DIR: cache },
  });
  if (r.status !== 0) failed++;
}
rmSync(cache, { recursive: true, force: true });
process.exit(failed === 0 ? 0 : 1);
