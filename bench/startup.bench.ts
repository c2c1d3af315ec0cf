/**
 * Start-up cost of whole `rnx` commands, against `node -e 0` measured in the same run (pairs
 * alternated so that load on the machine hits both; medians):
 *   - `rnx workflow validate` of a 20-line workflow file (aim: <= 1.6x `node -e 0`);
 *   - `rnx job run --network=none true` (aim: <= 2x `node -e 0`);
 *   - `rnx --version`, for reference (what loading the CLI alone costs).
 *
 *   npm run bench -- startup
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RNX_BIN, tempDir } from '../test/helpers/cli.js';
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
const run = (args: readonly string[]) => (): void => {
  execFileSync(NODE, args, { stdio: 'ignore', env });
};
try {
  const file = join(scratch.dir, 'twenty.yaml');
  writeFileSync(file, TWENTY_LINES);
  // A first job creates the state database, as on any machine that has run a job before.
  run([RNX_BIN, 'job', 'run', '--network=none', 'true'])();
  const node = run(['-e', '0']);
  const rows: [string, string[], number][] = [
    ['rnx --version', [RNX_BIN, '--version'], 1.5],
    ['rnx workflow validate (20 lines)', [RNX_BIN, 'workflow', 'validate', file], 1.6],
    ['rnx job run --network=none true', [RNX_BIN, 'job', 'run', '--network=none', 'true'], 2],
  ];
  console.log(`whole commands against node -e 0 (${String(PAIRS)} alternated pairs, medians)`);
  for (const [label, args, aim] of rows) {
    const r = await compare(PAIRS, run(args), node);
    console.log(
      `  ${label.padEnd(34)} ${fmt(r.a).padStart(9)} vs ${fmt(r.b).padStart(8)}: ${r.ratio.toFixed(2)}x (aim <= ${String(aim)}x)`,
    );
  }
  console.log(`  node ${process.version}`);
} finally {
  scratch.cleanup();
}
