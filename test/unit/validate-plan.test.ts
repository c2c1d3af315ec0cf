import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { catalogOf } from '../../src/validate/host/catalog.js';
import type { Plan } from '../../src/validate/model.js';
import { validateWorkflow } from '../../src/validate/validate-workflow.js';

function plan(yaml: string, options: { workflow?: string; cwd?: string } = {}): Plan {
  const r = validateWorkflow(yaml, 'flows/w.yaml', catalogOf({ networks: ['backend'] }), options);
  assert.deepEqual(r.diagnostics, []);
  assert.ok(r.plan);
  return r.plan;
}

describe('plan', () => {
  it('parses resources: plain memory in megabytes, units, the max_io_bps alias, cpu cores', () => {
    const p = plan(`
jobs:
  a:
    command: x
    resources: { max_memory: 512, max_cpu: 250, max_io_bps: 1048576, cpu_cores: 1, max_processes: 64 }
  b:
    command: x
    resources: { max_memory: 2G, max_iobps: 10M, cpu_cores: '0-1,3' }
  c:
    command: x
    resources: { max_memory: 0, max_cpu: 0 }
`);
    assert.deepEqual(
      p.jobs.map((j) => j.resources),
      [
        {
          maxCpu: 250,
          maxMemory: 512 * 1024 * 1024,
          maxIoBps: 1048576,
          cpuCores: '1',
          maxProcesses: 64,
        },
        { maxMemory: 2 * 1024 ** 3, maxIoBps: 10 * 1024 * 1024, cpuCores: '0-1,3' },
        {},
      ],
    );
  });

  it('turns timeouts into milliseconds and defaults network, retries and args', () => {
    const p = plan(`
jobs:
  a: { command: x, timeout: 1h30m, retries: 2, network: backend }
  b: { command: x, timeout: 90 }
  c: { command: x, args: [1, true, "s"] }
`);
    assert.deepEqual(
      p.jobs.map((j) => [j.timeoutMs, j.retries, j.network, j.args]),
      [
        [5_400_000, 2, 'backend', []],
        [90_000, 0, 'bridge', []],
        [undefined, 0, 'bridge', ['1', 'true', 's']],
      ],
    );
  });

  it('merges workflow then job environment and expands ${NAME} references', () => {
    const p = plan(`
environment:
  BASE: /opt
  STAGE: global
  FULL: \${BASE}/data
secret_environment:
  TOKEN: t0k3n
jobs:
  a:
    command: x
    environment:
      STAGE: local
      PREV: \${STAGE}
      PATH: \${PATH}:/extra
      LEAK: \${TOKEN}
      UNKNOWN: \${NOPE} and $BASE
    secret_environment:
      KEY_FILE: \${BASE}/\${TOKEN}.key
`);
    const job = p.jobs[0];
    assert.deepEqual(job?.environment, {
      BASE: '/opt',
      STAGE: 'local',
      FULL: '/opt/data',
      PREV: 'local',
      PATH: '${PATH}:/extra',
      LEAK: '${TOKEN}',
      UNKNOWN: '${NOPE} and $BASE',
    });
    assert.deepEqual(job?.secretEnvironment, { TOKEN: 't0k3n', KEY_FILE: '/opt/t0k3n.key' });
  });

  it('lets a job extend an inherited variable and keeps secrets out of the plain map', () => {
    const p = plan(`
environment: { PATH: /bin, MODE: plain }
jobs:
  a:
    command: x
    environment: { PATH: '\${PATH}:/opt/bin' }
    secret_environment: { MODE: secret }
`);
    assert.deepEqual(p.jobs[0]?.environment, { PATH: '/bin:/opt/bin' });
    assert.deepEqual(p.jobs[0]?.secretEnvironment, { MODE: 'secret' });
  });

  it('layers file, workflow and job environment in a multi-workflow file', () => {
    const p = plan(
      `
environment: { A: file, B: file }
workflows:
  one:
    environment: { B: workflow, C: '\${A}-\${B}' }
    jobs:
      j: { command: x, environment: { D: '\${C}!' } }
  two:
    jobs:
      k: { command: x }
`,
      { workflow: 'one' },
    );
    assert.equal(p.workflow, 'one');
    assert.equal(p.name, 'one');
    assert.deepEqual(p.jobs[0]?.environment, {
      A: 'file',
      B: 'workflow',
      C: 'file-workflow',
      D: 'file-workflow!',
    });
  });

  it('resolves uploads relative to the workflow file', () => {
    const p = plan(
      `
jobs:
  a:
    command: x
    uploads: { files: [run.py, lib/util.py], directories: [data/] }
`,
      { cwd: '/home/me/project' },
    );
    assert.deepEqual(p.jobs[0]?.uploads, {
      files: ['/home/me/project/flows/run.py', '/home/me/project/flows/lib/util.py'],
      directories: ['/home/me/project/flows/data'],
    });
  });

  it('names the plan after name:, else the file', () => {
    assert.equal(plan('name: Nightly\njobs: { a: { command: x } }').name, 'Nightly');
    assert.equal(plan('jobs: { a: { command: x } }').name, 'w');
  });

  it('keeps requirements with their conditions, in file order', () => {
    const p = plan(`
jobs:
  server: { command: x }
  build: { command: x }
  client:
    command: x
    requires:
      - server: RUNNING
      - build: FAILED
`);
    assert.deepEqual(p.jobs[2]?.requires, [
      { job: 'server', condition: 'RUNNING' },
      { job: 'build', condition: 'FAILED' },
    ]);
  });

  it('builds no plan when there is an error, and one per workflow otherwise', () => {
    const catalog = catalogOf();
    const bad = validateWorkflow('jobs: { a: { command: x, network: nope } }', 'w.yaml', catalog);
    assert.equal(bad.plan, undefined);
    assert.deepEqual(bad.plans, []);
    const many = validateWorkflow(
      'workflows: { one: { jobs: { a: { command: x } } }, two: { jobs: { b: { command: y } } } }',
      'w.yaml',
      catalog,
    );
    assert.equal(many.plan, undefined);
    assert.deepEqual(
      many.plans.map((p) => p.workflow),
      ['one', 'two'],
    );
  });

  it('can skip the host checks (for linting elsewhere)', () => {
    const r = validateWorkflow(
      'jobs: { a: { command: x, network: prod } }',
      'w.yaml',
      catalogOf(),
      {
        checkEnvironment: false,
      },
    );
    assert.deepEqual(r.diagnostics, []);
    assert.equal(r.plan?.jobs[0]?.network, 'prod');
  });
});
