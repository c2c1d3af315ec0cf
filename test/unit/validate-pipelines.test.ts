/**
 * Pipelines features on literal plans: matrix expansion, defaults, merge keys and x- keys,
 * pass-through variables and env files, output references, artifacts, --job selection.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { catalogOf } from '../../src/validate/host/catalog.js';
import type { Plan } from '../../src/validate/model.js';
import { instanceName, matrixInstances } from '../../src/validate/plan/matrix.js';
import { parseOutputFile, substituteOutputs } from '../../src/validate/plan/outputs.js';
import type { ValidateOptions } from '../../src/validate/validate-workflow.js';
import { validateWorkflow } from '../../src/validate/validate-workflow.js';

const CATALOG = catalogOf({
  networks: ['backend'],
  volumes: ['data', 'cache'],
  runtimes: ['python-3.11', 'python-3.12'],
});

function validate(yaml: string, options: ValidateOptions = {}) {
  return validateWorkflow(yaml, 'w.yaml', CATALOG, options);
}

function plan(yaml: string, options: ValidateOptions = {}): Plan {
  const r = validate(yaml, options);
  assert.deepEqual(
    r.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message),
    [],
  );
  assert.ok(r.plan);
  return r.plan;
}

const MATRIX = `
jobs:
  build: { command: make }
  test:
    command: python3
    args: [-m, pytest, "--shard=\${matrix.shard}"]
    runtime: "python-\${matrix.python}"
    environment: { PY: "\${matrix.python}" }
    matrix:
      python: ["3.11", "3.12"]
      shard: [1, 2]
    requires: [{ build: COMPLETED }]
  report:
    command: echo
    requires: [{ test: FINISHED }]
`;

describe('matrix', () => {
  it('names instances after the values, first key outermost', () => {
    assert.deepEqual(
      matrixInstances('test', { python: ['3.11', '3.12'], shard: [1, 2] }).map((i) => i.name),
      ['test-3-11-1', 'test-3-11-2', 'test-3-12-1', 'test-3-12-2'],
    );
    assert.equal(instanceName('t', ['Ubuntu 22.04', 'x86_64']), 't-ubuntu-22-04-x86-64');
  });

  it('expands into instances with their own values, and a dependent requiring all of them', () => {
    const p = plan(MATRIX);
    assert.deepEqual(
      p.jobs.map((j) => j.name),
      ['build', 'test-3-11-1', 'test-3-11-2', 'test-3-12-1', 'test-3-12-2', 'report'],
    );
    const t = p.jobs[4];
    assert.deepEqual(t?.args, ['-m', 'pytest', '--shard=2']);
    assert.equal(t?.runtime, 'python-3.12');
    assert.deepEqual(t?.environment, { PY: '3.12' });
    assert.deepEqual(t?.matrix, { job: 'test', values: { python: '3.12', shard: '2' } });
    assert.deepEqual(t?.requires, [{ job: 'build', condition: 'COMPLETED' }]);
    assert.deepEqual(p.jobs[5]?.requires, [
      {
        job: 'test',
        condition: 'FINISHED',
        of: ['test-3-11-1', 'test-3-11-2', 'test-3-12-1', 'test-3-12-2'],
      },
    ]);
    assert.deepEqual(p.waves, [
      ['build'],
      ['test-3-11-1', 'test-3-11-2', 'test-3-12-1', 'test-3-12-2'],
      ['report'],
    ]);
  });

  it('reports a cycle through a matrix job at the requires entry', () => {
    const r = validate(`
jobs:
  a: { command: x, matrix: { n: [1, 2] }, requires: [{ b: COMPLETED }] }
  b: { command: x, requires: [{ a: COMPLETED }] }
`);
    const cycle = r.diagnostics.find((d) => d.code === 'cycle');
    assert.ok(cycle);
    assert.equal(cycle.line, 3);
  });
});

describe('defaults', () => {
  it('fills what a job leaves out, per workflow over the file, resources key by key', () => {
    const r = validate(
      `
defaults:
  network: backend
  user: nobody
  timeout: 30s
  retries: 2
  resources: { max_memory: 256M, max_cpu: 50 }
  volumes: [data]
workflows:
  ci:
    defaults: { retries: 1, volumes: [cache] }
    jobs:
      a: { command: x }
      b: { command: x, network: none, retries: 0, resources: { max_cpu: 100 }, volumes: [], user: "1000:1000" }
`,
      { workflow: 'ci' },
    );
    assert.ok(r.plan, JSON.stringify(r.diagnostics));
    const [a, b] = r.plan.jobs;
    assert.deepEqual(
      [a?.network, a?.timeoutMs, a?.retries, a?.resources, a?.volumes],
      ['backend', 30_000, 1, { maxMemory: 256 * 1024 * 1024, maxCpu: 50 }, ['cache']],
    );
    assert.deepEqual(
      [b?.network, b?.timeoutMs, b?.retries, b?.resources, b?.volumes],
      ['none', 30_000, 0, { maxMemory: 256 * 1024 * 1024, maxCpu: 100 }, []],
    );
    assert.deepEqual([a?.user, b?.user], ['nobody', '1000:1000']);
  });

  it('points a missing default network at the defaults, once', () => {
    const r = validate(`
defaults: { network: nope }
jobs: { a: { command: x }, b: { command: x } }
`);
    const missing = r.diagnostics.filter((d) => d.code === 'missing-network');
    assert.equal(missing.length, 1);
    assert.equal(missing[0]?.line, 2);
  });

  it('refuses keys that are not defaults', () => {
    const r = validate(`
defaults: { command: x }
jobs: { a: { command: x } }
`);
    assert.deepEqual(
      r.diagnostics.map((d) => d.code),
      ['unknown-key'],
    );
  });
});

describe('merge keys and x- keys', () => {
  it('merges <<: *anchor into jobs and ignores top-level x- keys', () => {
    const p = plan(`
x-common: &common
  network: backend
  environment: { A: "1" }
jobs:
  a:
    <<: *common
    command: x
    environment: { B: "2" }
`);
    assert.equal(p.jobs[0]?.network, 'backend');
    assert.deepEqual(
      p.jobs[0]?.environment,
      { B: '2' },
      "the job's own map replaces the merged one",
    );
  });

  it('still refuses unknown keys that do not start with x-', () => {
    assert.deepEqual(
      validate('y-common: 1\njobs: { a: { command: x } }\n').diagnostics.map((d) => d.code),
      ['unknown-key'],
    );
  });
});

describe('pass-through variables', () => {
  const FILE = `
env_file: .env
secret_environment: { TOKEN: ~ }
jobs:
  a:
    command: x
    environment: { REGION:, KEPT: "k" }
`;

  it('takes values from rnx environment over env files', () => {
    const p = plan(FILE, {
      hostEnvironment: { TOKEN: 's3cret' },
      readEnvFile: () => ({ ok: true, text: 'REGION=eu\nTOKEN=from-file\n' }),
      unsetVariables: 'error',
    });
    assert.deepEqual(p.jobs[0]?.environment, { REGION: 'eu', KEPT: 'k' });
    assert.deepEqual(p.jobs[0]?.secretEnvironment, { TOKEN: 's3cret' });
  });

  it('an unset one is an error before a run, a warning otherwise, at the variable', () => {
    const read = () => ({ ok: true as const, text: '' });
    const run = validate(FILE, { readEnvFile: read, unsetVariables: 'error' });
    assert.deepEqual(
      run.diagnostics.map((d) => [d.severity, d.code, d.line]),
      [
        ['error', 'env-unset', 3],
        ['error', 'env-unset', 7],
      ],
    );
    const dry = validate(FILE, { readEnvFile: read });
    assert.deepEqual(
      dry.diagnostics.map((d) => d.severity),
      ['warning', 'warning'],
    );
    assert.ok(dry.plan);
  });
});

describe('outputs and artifacts', () => {
  it('parses KEY=VALUE lines and KEY<<EOF blocks, later lines winning', () => {
    assert.deepEqual(parseOutputFile('a=1\nb=x=y\nnot a line\nnotes<<EOF\nl1\nl2\nEOF\na=2\n'), {
      a: '2',
      b: 'x=y',
      notes: 'l1\nl2',
    });
  });

  it('substitutes references and names the first missing one', () => {
    const values: Record<string, string> = { 'build.version': '1.2' };
    const lookup = (job: string, key: string) => values[`${job}.${key}`];
    assert.deepEqual(substituteOutputs('v${jobs.build.outputs.version}', lookup), {
      ok: true,
      text: 'v1.2',
    });
    assert.deepEqual(substituteOutputs('${jobs.build.outputs.tag}', lookup), {
      ok: false,
      missing: { job: 'build', key: 'tag' },
    });
  });

  it('accepts references to jobs required through others, and keeps artifacts as declared', () => {
    const p = plan(`
jobs:
  build: { command: x, artifacts: [dist/app.txt, "reports/*.xml"] }
  test: { command: x, requires: [{ build: COMPLETED }] }
  deploy:
    command: echo
    args: ["\${jobs.build.outputs.version}"]
    requires: [{ test: COMPLETED }]
`);
    assert.deepEqual(p.jobs[0]?.artifacts, ['dist/app.txt', 'reports/*.xml']);
    assert.deepEqual(p.jobs[2]?.args, ['${jobs.build.outputs.version}']);
  });
});

describe('--job selection', () => {
  it('keeps the named jobs and everything they require; a matrix name means all instances', () => {
    const p = plan(MATRIX, { jobs: ['test'] });
    assert.deepEqual(
      p.jobs.map((j) => j.name),
      ['build', 'test-3-11-1', 'test-3-11-2', 'test-3-12-1', 'test-3-12-2'],
    );
    assert.equal(p.waves.length, 2);
    assert.deepEqual(
      plan(MATRIX, { jobs: ['build'] }).jobs.map((j) => j.name),
      ['build'],
    );
  });

  it('refuses an unknown job with the closest name', () => {
    const r = validate(MATRIX, { jobs: ['reprot'] });
    assert.deepEqual(
      r.diagnostics.map((d) => d.message),
      ["--job=reprot: workflow 'w' has no job 'reprot'; did you mean 'report'?"],
    );
    assert.equal(r.plan, undefined);
  });
});
