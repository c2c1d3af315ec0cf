/**
 * Validation at its limits, whole commands on this Node, measured in this run:
 *   - a valid 100,000-job file (about 15 MB): peak memory (RSS, from GNU time) and wall time of
 *     `rnx workflow validate --skip-environment --quiet` against a Node that only parses the same
 *     file with `yaml.parse` (aim: peak memory <= 1.2x the parser's own);
 *   - 8,000 jobs each requiring a missing job: time, bytes of diagnostics and peak memory
 *     (aim: under 5 s and a few MB).
 *
 *   npm run bench -- validate-limits
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT, RNX_BIN, tempDir } from '../test/helpers/cli.js';
import { missingRequirements, validChain } from '../test/helpers/generated-workflows.js';
import type { Measured } from './gnu-time.js';
import { measure } from './gnu-time.js';
import { median } from './timing.js';

const RUNS = 3;
const tmp = tempDir('rnx-bench-limits-');
try {
  const big = join(tmp.dir, 'valid-100000.yaml');
  writeFileSync(big, validChain(100_000));
  const many = join(tmp.dir, 'missing-8000.yaml');
  writeFileSync(many, missingRequirements(8000));
  const report = join(tmp.dir, 'time.txt');
  const yamlModule = join(REPO_ROOT, 'node_modules', 'yaml', 'dist', 'index.js');
  const parseOnly = `import(${JSON.stringify(yamlModule)}).then((y) => y.parse(require('fs').readFileSync(${JSON.stringify(big)}, 'utf8'), { uniqueKeys: false }))`;

  const rnx: Measured[] = [];
  const parser: Measured[] = [];
  const ratios: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    // Alternated, so that load on the machine hits both.
    const a = measure(
      [RNX_BIN, 'workflow', 'validate', '--skip-environment', '--quiet', big],
      report,
    );
    if (a.code !== 0)
      throw new Error(`rnx workflow validate exited ${String(a.code)} on the valid file`);
    const b = measure(['-e', parseOnly], report);
    if (b.code !== 0) throw new Error(`yaml.parse alone exited ${String(b.code)}`);
    rnx.push(a);
    parser.push(b);
    ratios.push(a.peakMb / b.peakMb);
  }
  const mb = (list: Measured[]) => `${median(list.map((m) => m.peakMb)).toFixed(0)} MB`;
  const s = (list: Measured[]) => `${median(list.map((m) => m.seconds)).toFixed(2)} s`;
  const timeRatio = median(rnx.map((m, i) => m.seconds / (parser[i]?.seconds ?? NaN)));
  console.log(
    `valid 100,000-job file (${String(readFileSync(big).length)} bytes), medians of ${String(RUNS)} alternated runs:`,
  );
  console.log(`  rnx workflow validate --skip-environment --quiet: peak ${mb(rnx)}, ${s(rnx)}`);
  console.log(
    `  node + yaml.parse alone:                         peak ${mb(parser)}, ${s(parser)}`,
  );
  console.log(
    `  peak memory ratio ${median(ratios).toFixed(2)}x (aim <= 1.2x); time ratio ${timeRatio.toFixed(2)}x`,
  );

  const errors: Measured[] = [];
  for (let i = 0; i < RUNS; i++) {
    const m = measure([RNX_BIN, 'workflow', 'validate', '--skip-environment', many], report);
    if (m.code !== 2) throw new Error(`rnx workflow validate exited ${String(m.code)}, not 2`);
    errors.push(m);
  }
  const bytes = median(errors.map((m) => m.stdoutBytes + m.stderrBytes));
  console.log(
    `8,000 jobs each requiring a missing job: ${s(errors)} (aim < 5 s), ` +
      `${(bytes / 1e6).toFixed(1)} MB of diagnostics (aim: a few MB), peak ${mb(errors)}`,
  );
  console.log(`  node ${process.version}`);
} finally {
  tmp.cleanup();
}
