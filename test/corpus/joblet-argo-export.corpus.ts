/**
 * Joblet's 48 workflow files exported to Argo (`rnx workflow export --target=argo --image=...`):
 * each exports without a crash, and every document is valid for the published models, except the
 * files invalid on purpose (each fails with its real mistake), the GPU pipeline, and two files that
 * list a directory under `files:` (rnx wants it under `directories:`). The corpus does
 * not ship the files its workflows upload, so a copy of it gets a small stand-in for each, as a
 * user's checkout would have the real ones.
 */
import assert from 'node:assert/strict';
import { cpSync, existsSync, globSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, describe, it } from 'node:test';
import { parse } from 'yaml';
import { exportArgoFile } from '../../src/export/argo/export-file.js';
import { checkUpload } from '../../src/isolation/filesystem/uploads.js';
import { BUILTIN_NETWORKS } from '../../src/networks/builtins.js';
import { catalogOf } from '../../src/validate/host/catalog.js';
import { isError, renderDiagnostics } from '../../src/validate/diagnostic.js';
import { parseAndValidate } from '../helpers/argo-models.js';
import { tempDir } from '../helpers/cli.js';
import { corpusDir } from './corpus-dir.js';

/** Files invalid on purpose (and the GPU pipeline): the error codes they must fail with. */
const FAILS: Readonly<Record<string, readonly string[]>> = {
  'workflows/verification/test-circular-dependency.yaml': ['cycle'],
  'workflows/verification/test-invalid-dependency.yaml': ['unknown-job'],
  'tests/integration/workflows/test-invalid-workflow.yaml': ['invalid-name'],
  'workflows/environment-examples/invalid-env-test.yaml': ['invalid-name'],
  'workflows/gpu-ml-pipeline.yaml': ['gpu-unsupported'],
  // These name a directory under `files:` with a trailing '/' ("scripts/"); rnx takes directories
  // only under `directories:`, as `rnx workflow validate` does with the real folders present.
  'workflows/etl-processing/etl-pipeline.yaml': ['upload-not-file'],
  'workflows/java-microservices/java-services.yaml': ['upload-not-file'],
};

type Map = Record<string, unknown>;
const map = (v: unknown): Map => (typeof v === 'object' && v !== null ? (v as Map) : {});
const strings = (v: unknown): string[] =>
  Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];

/** Creates every upload the file names that the corpus lacks. */
function standInUploads(folder: string, data: unknown): void {
  const top = map(data);
  for (const w of [top, ...Object.values(map(top['workflows']))]) {
    for (const job of Object.values(map(map(w)['jobs']))) {
      const uploads = map(map(job)['uploads']);
      for (const f of strings(uploads['files'])) {
        const path = join(folder, f);
        if (existsSync(path) || f.startsWith('/') || f.includes('..')) continue;
        if (f.endsWith('/')) {
          mkdirSync(path, { recursive: true }); // a directory, as the trailing '/' says
          continue;
        }
        mkdirSync(dirname(path), { recursive: true });
        writeFileSync(path, `stand-in for ${f}\n`);
      }
      for (const d of strings(uploads['directories'])) {
        const path = join(folder, d);
        if (existsSync(path) || d.startsWith('/') || d.includes('..')) continue;
        mkdirSync(path, { recursive: true });
        writeFileSync(join(path, 'README'), `stand-in for ${d}\n`);
      }
    }
  }
}

const tmp = tempDir('rnx-corpus-argo-');
after(() => tmp.cleanup());
const corpus = join(tmp.dir, 'corpus');
cpSync(corpusDir(), corpus, { recursive: true });
const files = globSync('**/*.yaml', { cwd: corpus }).sort();

describe("Joblet's workflow files exported to Argo", () => {
  it('are all there (48 files)', () => {
    assert.equal(files.length, 48);
  });

  for (const file of files) {
    const fails = FAILS[file] ?? [];
    const label = fails.length === 0 ? 'exports' : `fails only with ${fails.join(', ')}`;
    it(`${file} ${label}`, async () => {
      const data: unknown = parse(readFileSync(join(corpus, file), 'utf8'));
      standInUploads(join(corpus, dirname(file)), data);
      const many = map(data)['workflows'];
      const names =
        map(data)['jobs'] === undefined && many !== undefined ? Object.keys(map(many)) : [];
      for (const workflow of names.length === 0 ? [undefined] : names) {
        const outcome = await exportArgoFile({
          file,
          ...(workflow === undefined ? {} : { workflow }),
          cwd: corpus,
          catalog: catalogOf({
            checkUpload: (f, path, kind) => {
              const r = checkUpload(join(corpus, dirname(f)), path, kind);
              return r.ok ? undefined : r.problem;
            },
          }),
          networks: BUILTIN_NETWORKS,
          options: { image: 'debian:12', runtimeImages: new Map() },
        });
        assert.notEqual(outcome.kind, 'several');
        if (outcome.kind === 'several') return;
        const errors = outcome.diagnostics.filter(isError);
        const shown = renderDiagnostics(errors, outcome.source);
        assert.deepEqual([...new Set(errors.map((d) => d.code))], fails, shown);
        if (fails.length === 0) {
          assert.equal(outcome.kind, 'exported', shown);
          if (outcome.kind === 'exported') parseAndValidate(outcome.yaml);
        } else {
          assert.equal(outcome.kind, 'invalid');
        }
      }
    });
  }
});
