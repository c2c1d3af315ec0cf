/**
 * Start-up cost of whole `rnx` commands, against `node -e 0` measured in the same run (pairs
 * alternated so that load on the machine hits both; medians):
 *   - `rnx workflow validate` of a 20-line workflow file (aim: <= 1.6x `node -e 0`);
 *   - `rnx job run --network=none true` (aim: <= 2x `node -e 0`);
 *   - `rnx --version`, for reference (what loading the CLI alone costs).
 * Each as `node bin/rnx.js` (Node started by the caller, as in a checkout), and the first two
 * through the installed command too: `PREFIX/bin/rnx`, npm's link to the `sh` launcher bin/rnx,
 * which picks the Node and gives it V8 flags (a larger young generation) before bin/rnx.js runs.
 *
 *   npm run bench -- startup
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT, RNX_BIN, tempDir } from '../test/helpers/cli.js';
import { compare, fmt } from './timing.js';

const PAIRS = 21;
const NODE = process.execPath;

/** 20 lines: three jobs in a chain, with environment and resources. */
export const TWENTY_LINES = `name: twenty
environment:
  LEVEL: info
jobs:
  fetch:
    command: sh
    args: ['-c', 'echo fetch']
    network: none
    resources: { max_memory: 64 }
  build:
    command: sh
    args: ['-c', 'echo build']
    network: none
    requires:
      - fetch: COMPLETED
  ship:
    command: sh
    args: ['-c', 'echo ship']
    requires:
      - build: COMPLETED
`;

const scratch = tempDir('rnx-bench-startup-');
// The code cache (README) starts empty: each command's warm-up run writes it, as a user's first.
const env = {
  ...process.env,
  RNX_STATE_DIR: join(scratch.dir, 'state'),
  RNX_CACHE_DIR: join(scratch.dir, 'cache'),
  NO_COLOR: '1',
};
const run =
  (args: readonly string[], program = NODE) =>
  (): void => {
    execFileSync(program, args, { stdio: 'ignore', env });
  };
/**
 * The installed command as `npm install -g` (or `npm link`) lays it out: PREFIX/bin/rnx links to
 * PREFIX/lib/node_modules/rnx/bin/rnx, the package folder being this checkout.
 */
function installedCommand(prefix: string): string {
  mkdirSync(join(prefix, 'bin'), { recursive: true });
  mkdirSync(join(prefix, 'lib', 'node_modules'), { recursive: true });
  symlinkSync(REPO_ROOT, join(prefix, 'lib', 'node_modules', 'rnx'));
  const command = join(prefix, 'bin', 'rnx');
  symlinkSync('../lib/node_modules/rnx/bin/rnx', command);
  return command;
}
try {
  const file = join(scratch.dir, 'twenty.yaml');
  writeFileSync(file, TWENTY_LINES);
  // A first job creates the state database, as on any machine that has run a job before.
  run([RNX_BIN, 'job', 'run', '--network=none', 'true'])();
  const node = run(['-e', '0']);
  const rnx = installedCommand(join(scratch.dir, 'prefix'));
  const validate = ['workflow', 'validate', file];
  const jobRun = ['job', 'run', '--network=none', 'true'];
  const rows: [string, () => void, number][] = [
    ['node bin/rnx.js --version', run([RNX_BIN, '--version']), 1.5],
    ['node bin/rnx.js workflow validate', run([RNX_BIN, ...validate]), 1.6],
    ['node bin/rnx.js job run', run([RNX_BIN, ...jobRun]), 2],
    ['installed rnx workflow validate', run(validate, rnx), 1.6],
    ['installed rnx job run', run(jobRun, rnx), 2],
  ];
  console.log(
    `whole commands against node -e 0 (${String(PAIRS)} alternated pairs, medians): validate of a` +
      ' 20-line file, job run --network=none true; "installed rnx" is PREFIX/bin/rnx (the sh launcher)',
  );
  for (const [label, command, aim] of rows) {
    const r = await compare(PAIRS, command, node);
    console.log(
      `  ${label.padEnd(34)} ${fmt(r.a).padStart(9)} vs ${fmt(r.b).padStart(8)}: ${r.ratio.toFixed(2)}x (aim <= ${String(aim)}x)`,
    );
  }
  console.log(`  node ${process.version}`);
} finally {
  scratch.cleanup();
}
