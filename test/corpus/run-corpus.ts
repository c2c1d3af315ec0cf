/**
 * `npm run corpus -- DIR`: checks rnx against a folder of real-world workflow files (Joblet's),
 * outside `npm test` because the folder is not part of this
 * repository. Runs every compiled test/corpus/*.corpus.js with node's test runner, each reading the
 * folder from RNX_CORPUS_DIR; add a check by adding a `NAME.corpus.ts` beside this file.
 * Its last line is `corpus: N passed, N failed, N skipped`.
 *
 *   node dist/test/corpus/run-corpus.js DIR
 */
import { spawnSync } from 'node:child_process';
import { existsSync, globSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const dir = process.argv[2];
if (dir === undefined || !existsSync(dir)) {
  console.error(
    `usage: npm run corpus -- DIR (a folder of workflow files; got ${dir ?? 'nothing'})`,
  );
  process.exit(2);
}
const files = globSync('*.corpus.js', { cwd: here })
  .map((f) => join(here, f))
  .sort();
const scratch = mkdtempSync(join(tmpdir(), 'rnx-corpus-'));
const counts = join(scratch, 'counts.json');
const run = spawnSync(
  process.execPath,
  [
    '--enable-source-maps',
    '--test',
    '--test-reporter=spec',
    '--test-reporter-destination=stdout',
    `--test-reporter=${join(here, '..', 'harness', 'count-reporter.js')}`,
    `--test-reporter-destination=${counts}`,
    ...files,
  ],
  { stdio: 'inherit', env: { ...process.env, RNX_CORPUS_DIR: resolve(dir), NO_COLOR: '1' } },
);
let summary = { passed: 0, failed: 1, skipped: 0 };
try {
  summary = JSON.parse(readFileSync(counts, 'utf8')) as typeof summary;
} catch {
  console.error('the test runner wrote no counts');
}
rmSync(scratch, { recursive: true, force: true });
console.log(
  `corpus: ${String(summary.passed)} passed, ${String(summary.failed)} failed, ${String(summary.skipped)} skipped`,
);
process.exit(run.status === 0 && summary.failed === 0 && files.length > 0 ? 0 : 1);
