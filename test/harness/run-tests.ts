/**
 * `npm test` runs this. It puts the whole test run inside a throwaway network and mount namespace
 * (`scripts/sandbox --upstream`: bridges, veths, routes and nftables rules that tests create vanish
 * with it and the machine's own network is never touched; a fake outside host at 198.51.100.1 is
 * reached through the namespace's default route), then runs every compiled test file with node's
 * test runner.
 * The last line it prints is `tests: N passed, N failed, N skipped`.
 *
 *   node dist/test/harness/run-tests.js [FILE_FILTER...]
 */
import { spawnSync } from 'node:child_process';
import { globSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { enterSandbox, UPSTREAM_ADDRESS } from './sandbox.js';

const self = fileURLToPath(import.meta.url);
const distTest = dirname(dirname(self));
const repoRoot = dirname(dirname(distTest));

if (process.getuid?.() !== 0) {
  console.error(
    'rnx tests need root: they create real namespaces, bridges, nftables rules and cgroups.',
  );
  console.error('tests: 0 passed, 1 failed, 0 skipped');
  process.exit(1);
}

// The run's scratch (state directory, code cache, counts) is made before the sandbox is entered,
// so that the sandbox knows the state directory (see enterSandbox); removed by whoever made it.
const scratch = process.env['RNX_TEST_SCRATCH'] ?? mkdtempSync(join(tmpdir(), 'rnx-test-'));
enterSandbox(repoRoot, self, scratch);
const counts = join(scratch, 'counts.json');
const filters = process.argv.slice(2);
const files = globSync('**/*.test.js', { cwd: distTest })
  .map((f) => join(distTest, f))
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
  .sort();

const run = spawnSync(
  process.execPath,
  [
    '--enable-source-maps',
    '--test',
    '--test-concurrency=1',
    '--test-reporter=spec',
    '--test-reporter-destination=stdout',
    `--test-reporter=${join(distTest, 'harness', 'count-reporter.js')}`,
    `--test-reporter-destination=${counts}`,
    ...files,
  ],
  {
    stdio: 'inherit',
    cwd: repoRoot,
    env: {
      ...process.env,
      RNX_STATE_DIR: join(scratch, 'state'),
      // rnx's code cache (README: "The code cache") in the run's scratch, not in $HOME.
      RNX_CACHE_DIR: join(scratch, 'cache'),
      RNX_TEST_UPSTREAM: UPSTREAM_ADDRESS,
      NO_COLOR: '1',
    },
  },
);

let summary = { passed: 0, failed: 0, skipped: 0 };
try {
  summary = JSON.parse(readFileSync(counts, 'utf8')) as typeof summary;
} catch {
  summary.failed += 1;
  console.error('the test runner wrote no counts');
}
// Made outside the sandbox (RNX_TEST_SCRATCH), it is enterSandbox's to remove.
if (process.env['RNX_TEST_SCRATCH'] === undefined)
  rmSync(scratch, { recursive: true, force: true });
console.log(`\nran ${String(files.length)} test files from ${relative(repoRoot, distTest) || '.'}`);
console.log(
  `tests: ${String(summary.passed)} passed, ${String(summary.failed)} failed, ${String(summary.skipped)} skipped`,
);
process.exit(run.status === 0 && summary.failed === 0 && files.length > 0 ? 0 : 1);
