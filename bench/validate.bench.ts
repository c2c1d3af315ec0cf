/**
 * Validation speed. Generates 1,000- and 10,000-job workflows (a chain, a wide fan-out, a random
 * DAG with about three `requires` per job) and reports, all measured in this run on this Node:
 *   - validation (everything a dry-run does before printing) of the 10,000-job file against
 *     only parsing that YAML with `yaml.parse` (aim: within 3x);
 *   - the 10,000/1,000 validation time ratio (linear scaling is about 10);
 *   - the whole `rnx job run --workflow=F --dry-run` command against `node -e 0` plus a parse;
 *   - `rnx --version` against `node -e 0` (aim: within 1.5x).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { catalogOf } from '../src/validate/host/catalog.js';
import { validateWorkflow } from '../src/validate/validate-workflow.js';
import { compare, fmt, median, timeRuns } from './timing.js';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const RNX = join(REPO, 'bin', 'rnx.js');
const NODE = process.execPath;

type Shape = 'chain' | 'fan-out' | 'random-dag';

function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function generate(shape: Shape, jobs: number): string {
  const next = random(jobs);
  const lines = [`name: ${shape}-${jobs}`, 'environment:', '  LEVEL: info', 'jobs:'];
  for (let i = 0; i < jobs; i++) {
    let requires: number[] = [];
    if (shape === 'chain' && i > 0) requires = [i - 1];
    if (shape === 'fan-out' && i > 0) requires = [0];
    if (shape === 'random-dag' && i > 0) {
      const want = Math.min(i, 3);
      const set = new Set<number>();
      while (set.size < want) set.add(Math.floor(next() * i));
      requires = [...set];
    }
    lines.push(`  job-${i}:`, '    command: sh', `    args: ["-c", "echo job ${i}"]`);
    lines.push('    resources:', '      max_memory: 64', '      max_cpu: 50');
    if (requires.length > 0) {
      lines.push('    requires:', ...requires.map((r) => `      - job-${r}: COMPLETED`));
    }
  }
  return `${lines.join('\n')}\n`;
}

const dir = mkdtempSync(join(tmpdir(), 'rnx-bench-validate-'));
const catalog = catalogOf();
try {
  console.log(
    'validation vs only parsing the YAML, in process (medians; ratios are pairwise medians)',
  );
  console.log(
    '  (yaml.parse fast = uniqueKeys off, as validation parses; yaml.parse default = its quadratic duplicate-key check on)',
  );
  for (const shape of ['chain', 'fan-out', 'random-dag'] as const) {
    const small = generate(shape, 1000);
    const large = generate(shape, 10_000);
    writeFileSync(join(dir, `${shape}-10000.yaml`), large);
    const check = validateWorkflow(large, 'bench.yaml', catalog);
    if (check.plan === undefined) throw new Error(`${shape}: generated workflow is invalid`);
    const validate = (text: string) => () => validateWorkflow(text, 'bench.yaml', catalog);
    const fast = (text: string) => (): unknown => parse(text, { uniqueKeys: false });
    const vsFast = await compare(5, validate(large), fast(large));
    const parseDefault = median(await timeRuns(2, (): unknown => parse(large)));
    // Scaling: 10,000 against 1,000 jobs, alternated so that load on the machine hits both.
    const scaleValidate = await compare(5, validate(large), validate(small));
    const scaleParse = await compare(5, fast(large), fast(small));
    console.log(
      `  ${shape.padEnd(10)} 10,000 jobs: validate ${fmt(vsFast.a)}, yaml.parse fast ${fmt(vsFast.b)} ` +
        `(ratio ${vsFast.ratio.toFixed(2)}x, aim <= 3x), yaml.parse default ${fmt(parseDefault)} ` +
        `(ratio ${(vsFast.a / parseDefault).toFixed(2)}x)`,
    );
    console.log(
      `  ${''.padEnd(10)} 1,000 jobs: validate ${fmt(scaleValidate.b)}; 10k/1k: validate ` +
        `${scaleValidate.ratio.toFixed(1)}, yaml.parse alone ${scaleParse.ratio.toFixed(1)} (linear ~10)`,
    );
  }

  console.log('whole commands (wall time, medians, alternated)');
  const file = join(dir, 'random-dag-10000.yaml');
  const parseOnly = `import('${join(REPO, 'node_modules', 'yaml', 'dist', 'index.js')}').then(y => y.parse(require('fs').readFileSync('${file}', 'utf8')))`;
  const run = (args: string[]) => () => execFileSync(NODE, args, { stdio: 'ignore', cwd: REPO });
  const dry = await compare(
    5,
    run([RNX, 'job', 'run', `--workflow=${file}`, '--dry-run']),
    run(['-e', parseOnly]),
  );
  console.log(
    `  rnx job run --dry-run (10,000-job random DAG) ${fmt(dry.a)} vs node + yaml.parse of it ${fmt(dry.b)}: ratio ${dry.ratio.toFixed(2)}x`,
  );
  const version = await compare(25, run([RNX, '--version']), run(['-e', '0']));
  console.log(
    `  rnx --version ${fmt(version.a)} vs node -e 0 ${fmt(version.b)}: ratio ${version.ratio.toFixed(2)}x (aim <= 1.5x)`,
  );
  console.log(`  node ${process.version}; ${readFileSync(file, 'utf8').length} bytes of YAML`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
