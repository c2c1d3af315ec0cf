/**
 * Output throughput: 2,000,000 lines from one job (`seq`), through a workflow (`rnx job run
 * --workflow`, every line prefixed `job |` by the plain reporter) against the same job through
 * `rnx job run` (its output passed through as it comes), both whole commands with their standard
 * output read from a pipe, alternated, medians. Aim: the workflow within 2x of the single job.
 * The lines that arrive are counted, so a reporter that drops or merges lines fails the benchmark.
 *
 *   npm run bench -- output
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RNX_BIN, tempDir } from '../test/helpers/cli.js';
import { compare, fmt } from './timing.js';

const LINES = 2_000_000;
const PAIRS = 5;

/**
 * Runs rnx with its standard output on a pipe to `wc -l` (a real pipe, as a shell makes it);
 * resolves with the number of lines wc counted.
 */
function countLines(args: readonly string[], env: NodeJS.ProcessEnv): number {
  const out = execFileSync(
    'bash',
    ['-c', 'set -o pipefail; "$@" | wc -l', 'bash', process.execPath, RNX_BIN, ...args],
    { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] },
  );
  return Number(out.trim());
}

const scratch = tempDir('rnx-bench-output-');
const env = { ...process.env, RNX_STATE_DIR: join(scratch.dir, 'state'), NO_COLOR: '1' };
try {
  const file = join(scratch.dir, 'lines.yaml');
  writeFileSync(
    file,
    `name: lines\njobs:\n  numbers:\n    command: seq\n    args: ['${String(LINES)}']\n    network: none\n`,
  );
  const single = (): void => {
    const got = countLines(['job', 'run', '--network=none', 'seq', String(LINES)], env);
    if (got !== LINES) throw new Error(`rnx job run: ${String(got)} lines, not ${String(LINES)}`);
  };
  const workflow = (): void => {
    const got = countLines(['job', 'run', `--workflow=${file}`], env);
    // The job's lines plus the reporter's own (start, end, summary).
    if (got < LINES) throw new Error(`workflow: ${String(got)} lines, fewer than ${String(LINES)}`);
  };
  const r = await compare(PAIRS, workflow, single);
  console.log(`${String(LINES)} lines from one job, standard output on a pipe (medians)`);
  console.log(`  rnx job run --workflow   ${fmt(r.a)}`);
  console.log(`  rnx job run (one job)    ${fmt(r.b)}`);
  console.log(`  ratio                    ${r.ratio.toFixed(2)}x (aim <= 2x)`);
} finally {
  scratch.cleanup();
}
