/**
 * What pipelines cost, against baselines measured in the same run (medians of alternated pairs):
 *   1. validating a 10x10x10 matrix job (1,002 jobs once expanded), against the same 1,002 jobs
 *      written out in the file (validateWorkflow in process);
 *   2. a chain of 12 `true` jobs on network `none` run by the engine with the real runner, with the
 *      run files ($RNX_OUTPUT bound in, the attempt's folder made and removed) against the same
 *      engine without them; and the same chain where every job keeps an artifact and the next one
 *      sees it at /artifacts.
 *
 *   npm run bench -- pipelines
 */
import { join } from 'node:path';
import { realEngineDeps } from '../src/cli/workflow-run/engine-deps.js';
import type { EngineDeps } from '../src/engine/ports.js';
import { runWorkflow } from '../src/engine/run.js';
import { openDatabase } from '../src/state/database.js';
import { catalogOf } from '../src/validate/host/catalog.js';
import type { Plan } from '../src/validate/model.js';
import { validateWorkflow } from '../src/validate/validate-workflow.js';
import { tempDir } from '../test/helpers/cli.js';
import { compare, fmt } from './timing.js';

const scratch = tempDir('rnx-bench-pipelines-');
const CATALOG = catalogOf({ networks: ['none'] });
const CHAIN = 12;
/** Runs of real jobs are noisy on a shared machine: more pairs. */
const PAIRS = 9;

function values(n: number): string {
  return `[${Array.from({ length: n }, (_, i) => `v${String(i)}`).join(', ')}]`;
}

function matrixFile(): string {
  return `jobs:
  build: { command: make, network: none }
  test:
    command: sh
    args: ['-c', 'echo \${matrix.a} \${matrix.b} \${matrix.c}']
    network: none
    matrix: { a: ${values(10)}, b: ${values(10)}, c: ${values(10)} }
    requires: [{ build: COMPLETED }]
  report: { command: echo, network: none, requires: [{ test: COMPLETED }] }
`;
}

function flatFile(): string {
  const names: string[] = [];
  const lines = ['jobs:', '  build: { command: make, network: none }'];
  for (let a = 0; a < 10; a++)
    for (let b = 0; b < 10; b++)
      for (let c = 0; c < 10; c++) {
        const name = `test-v${String(a)}-v${String(b)}-v${String(c)}`;
        names.push(name);
        lines.push(
          `  ${name}: { command: sh, args: ['-c', 'echo v${String(a)} v${String(b)} v${String(c)}'], network: none, requires: [{ build: COMPLETED }] }`,
        );
      }
  lines.push(
    `  report: { command: echo, network: none, requires: [${names.map((n) => `{ ${n}: COMPLETED }`).join(', ')}] }`,
  );
  return `${lines.join('\n')}\n`;
}

function chainFile(artifacts: boolean): string {
  const lines = ['jobs:'];
  for (let i = 0; i < CHAIN; i++) {
    const command = artifacts
      ? `'sh', args: ['-c', '${i > 0 ? `cat /artifacts/j${String(i - 1)}/a.txt >/dev/null && ` : ''}echo ${String(i)} > a.txt'], artifacts: [a.txt]`
      : `'true'`;
    const requires = i === 0 ? '' : `, requires: [{ j${String(i - 1)}: COMPLETED }]`;
    lines.push(`  j${String(i)}: { command: ${command}, network: none${requires} }`);
  }
  return `${lines.join('\n')}\n`;
}

function planOf(text: string): Plan {
  const r = validateWorkflow(text, 'bench.yaml', CATALOG);
  if (r.plan === undefined) throw new Error(JSON.stringify(r.diagnostics));
  return r.plan;
}

async function run(plan: Plan, deps: EngineDeps): Promise<void> {
  const r = await runWorkflow(plan, deps, {
    runId: `wr-bench${String(Math.random()).slice(2, 8)}`,
    concurrency: 1,
    onEvent: () => undefined,
  });
  if (!r.ok || r.value.status !== 'COMPLETED') throw new Error(JSON.stringify(r));
}

async function main(): Promise<void> {
  const matrix = matrixFile();
  const flat = flatFile();
  const v = await compare(
    10,
    () => validateWorkflow(matrix, 'm.yaml', CATALOG),
    () => validateWorkflow(flat, 'f.yaml', CATALOG),
  );
  console.log('validating 1,002 jobs');
  console.log(`  as a 10x10x10 matrix  ${fmt(v.a)}`);
  console.log(`  written out           ${fmt(v.b)}`);
  console.log(`  ratio                 ${v.ratio.toFixed(2)}x`);

  const state = join(scratch.dir, 'state');
  const db = openDatabase(state);
  const withFiles = realEngineDeps(db, state);
  const { files: _, ...withoutFiles } = withFiles;
  const plain = planOf(chainFile(false));
  const r = await compare(
    PAIRS,
    () => run(plain, withFiles),
    () => run(plain, withoutFiles),
  );
  console.log(`a chain of ${String(CHAIN)} jobs on network none, one at a time`);
  console.log(`  with run files ($RNX_OUTPUT)   ${fmt(r.a)} (${fmt(r.a / CHAIN)} per job)`);
  console.log(`  without                        ${fmt(r.b)} (${fmt(r.b / CHAIN)} per job)`);
  console.log(`  ratio                          ${r.ratio.toFixed(2)}x`);
  const kept = planOf(chainFile(true));
  const k = await compare(
    PAIRS,
    () => run(kept, withFiles),
    () => run(plain, withoutFiles),
  );
  console.log(
    `  each job keeping an artifact the next reads: ${fmt(k.a)} (${k.ratio.toFixed(2)}x the chain without run files)`,
  );
  db.close();
  scratch.cleanup();
}

await main();
