/**
 * Joblet's own 48 workflow files (the folder given to `npm run corpus -- DIR`): each validates once the networks, volumes and runtimes it names are
 * registered, or fails only with the diagnostic naming the feature rnx does not offer (GPUs), or
 * with the real mistake of a file that is invalid on purpose (listed in that folder's README).
 */
import assert from 'node:assert/strict';
import { globSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { catalogOf } from '../../src/validate/host/catalog.js';
import { isError, renderDiagnostics } from '../../src/validate/diagnostic.js';
import { validateWorkflow } from '../../src/validate/validate-workflow.js';
import { corpusDir } from './corpus-dir.js';

interface Expectation {
  /** Error codes the file must produce, exactly (empty: the file is valid). */
  readonly errors: readonly string[];
  /** Names left out of the catalog: what the file is about being missing. */
  readonly unregistered?: readonly string[];
}

const EXPECTED: Readonly<Record<string, Expectation>> = {
  'workflows/verification/test-circular-dependency.yaml': { errors: ['cycle'] },
  'workflows/verification/test-invalid-dependency.yaml': { errors: ['unknown-job'] },
  'workflows/verification/test-missing-network.yaml': {
    errors: ['missing-network'],
    unregistered: ['non-existent-network'],
  },
  'workflows/verification/test-missing-runtime.yaml': {
    errors: ['missing-runtime'],
    unregistered: ['nonexistent:runtime'],
  },
  'workflows/verification/test-missing-volume.yaml': {
    errors: ['missing-volume'],
    unregistered: ['nonexistent-volume'],
  },
  'tests/integration/workflows/test-invalid-workflow.yaml': { errors: ['invalid-name'] },
  'workflows/environment-examples/invalid-env-test.yaml': { errors: ['invalid-name'] },
  // rnx does not allocate GPUs, and says so.
  'workflows/gpu-ml-pipeline.yaml': { errors: ['gpu-unsupported'] },
};

/** Every network, volume and runtime the file names (to register them, as a user would). */
function namesUsed(data: unknown): { networks: string[]; volumes: string[]; runtimes: string[] } {
  const out = { networks: [] as string[], volumes: [] as string[], runtimes: [] as string[] };
  const map = (v: unknown): Record<string, unknown> =>
    typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : {};
  const strings = (v: unknown): string[] =>
    Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
  const top = map(data);
  out.volumes.push(...strings(top['volumes']));
  const workflows = [top, ...Object.values(map(top['workflows']))];
  for (const w of workflows) {
    for (const job of Object.values(map(map(w)['jobs']))) {
      const j = map(job);
      if (typeof j['network'] === 'string') out.networks.push(j['network']);
      if (typeof j['runtime'] === 'string') out.runtimes.push(j['runtime']);
      out.volumes.push(...strings(j['volumes']));
    }
  }
  return out;
}

const corpus = corpusDir();
const files = globSync('**/*.yaml', { cwd: corpus }).sort();

describe("Joblet's workflow files", () => {
  it('are all there (48 files)', () => {
    assert.equal(files.length, 48);
  });

  for (const file of files) {
    const expected = EXPECTED[file] ?? { errors: [] };
    const label =
      expected.errors.length === 0 ? 'is valid' : `fails only with ${expected.errors.join(', ')}`;
    it(`${file} ${label}`, () => {
      const source = readFileSync(join(corpus, file), 'utf8');
      const used = namesUsed(parse(source));
      const keep = (n: string): boolean => !(expected.unregistered ?? []).includes(n);
      const catalog = catalogOf({
        networks: used.networks.filter(keep),
        volumes: used.volumes.filter(keep),
        runtimes: used.runtimes.filter(keep),
      });
      const result = validateWorkflow(source, file, catalog, { cwd: corpus });
      const errors = result.diagnostics.filter(isError);
      const shown = renderDiagnostics(errors, source);
      assert.deepEqual([...new Set(errors.map((d) => d.code))], expected.errors, shown);
      if (expected.errors.length === 0) assert.ok(result.plans.length >= 1, 'no plan');
      else assert.equal(result.plans.length, 0);
    });
  }

  it('multi-workflow.yaml holds two named workflows, each with its own plan', () => {
    const file = 'workflows/multi-workflow/multi-workflow.yaml';
    const source = readFileSync(join(corpus, file), 'utf8');
    const catalog = catalogOf({ volumes: ['ml-pipeline'], runtimes: ['python-3.11-ml'] });
    const all = validateWorkflow(source, file, catalog);
    assert.deepEqual(all.workflowNames, ['ml-training', 'deployment']);
    assert.deepEqual(
      all.plans.map((p) => [p.workflow, p.name, p.jobs.length]),
      [
        ['ml-training', 'Machine Learning Training Pipeline', 4],
        ['deployment', 'Model Deployment Pipeline', 4],
      ],
    );
    const one = validateWorkflow(source, file, catalog, { workflow: 'deployment' });
    assert.deepEqual(one.plan?.waves, [
      ['package-model'],
      ['test-model'],
      ['deploy-staging'],
      ['deploy-production'],
    ]);
  });

  it('uploads are resolved relative to the workflow file', () => {
    const file = 'workflows/data-pipeline/data-pipeline.yaml';
    const source = readFileSync(join(corpus, file), 'utf8');
    const catalog = catalogOf({ volumes: ['data-pipeline'], runtimes: ['python-3.11-ml'] });
    const plan = validateWorkflow(source, file, catalog, { cwd: corpus }).plan;
    assert.deepEqual(plan?.jobs[0]?.uploads.files, [join(corpus, dirname(file), 'extract.py')]);
    assert.equal(
      relative(corpus, plan?.jobs[0]?.uploads.files[0] ?? ''),
      join(dirname(file), 'extract.py'),
    );
  });
});
