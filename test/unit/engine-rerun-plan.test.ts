/** Which jobs a rerun runs again, on literal plans. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { definitionOf } from '../../src/engine/definition.js';
import { chooseRerun, type PreviousJob } from '../../src/engine/rerun-plan.js';
import type { Plan, PlannedJob } from '../../src/validate/model.js';

function job(name: string, requires: string[] = [], args: string[] = []): PlannedJob {
  return {
    name,
    command: 'x',
    args,
    network: 'none',
    volumes: [],
    uploads: { files: [], directories: [] },
    requires: requires.map((r) => ({ job: r, condition: 'COMPLETED' })),
    environment: {},
    secretEnvironment: {},
    resources: {},
    retries: 0,
  };
}

// build -> test -> deploy, build -> lint
const JOBS = [
  job('build'),
  job('test', ['build']),
  job('lint', ['build']),
  job('deploy', ['test']),
];
const PLAN: Plan = {
  file: 'w.yaml',
  name: 'w',
  jobs: JOBS,
  waves: [['build'], ['test', 'lint'], ['deploy']],
};

function previous(statuses: Record<string, string>, jobs = JOBS): PreviousJob[] {
  return jobs.map((j) => ({
    name: j.name,
    status: statuses[j.name] ?? 'COMPLETED',
    definition: definitionOf(j),
  }));
}

describe('rerun selection', () => {
  it('runs again what did not complete and everything downstream, reusing the rest', () => {
    const c = chooseRerun(PLAN, previous({ test: 'FAILED', deploy: 'CANCELED' }), false);
    assert.deepEqual(c.reuse, ['build', 'lint']);
    assert.deepEqual(c.rerun, [
      { job: 'test', why: 'it ended FAILED' },
      { job: 'deploy', why: 'it ended CANCELED' },
    ]);
  });

  it('runs a completed job again when its definition changed, and what follows it', () => {
    const before = previous({}, [job('build', [], ['old']), ...JOBS.slice(1)]);
    const c = chooseRerun(PLAN, before, false);
    assert.deepEqual(c.reuse, []);
    assert.deepEqual(
      c.rerun.map((r) => r.why),
      [
        'its definition changed since',
        'it requires build, which runs again',
        'it requires build, which runs again',
        'it requires test, which runs again',
      ],
    );
  });

  it('runs new jobs, everything with --all, nothing when all completed unchanged', () => {
    assert.deepEqual(
      chooseRerun(
        PLAN,
        previous({}).filter((j) => j.name !== 'lint'),
        false,
      ).rerun,
      [{ job: 'lint', why: 'it is new in the file' }],
    );
    assert.equal(chooseRerun(PLAN, previous({}), true).rerun.length, 4);
    assert.deepEqual(chooseRerun(PLAN, previous({}), false).rerun, []);
  });

  it('leaves secret values out of the definition, but not their names', () => {
    const a = { ...job('a'), secretEnvironment: { TOKEN: 'one' } };
    const b = { ...job('a'), secretEnvironment: { TOKEN: 'two' } };
    const c = { ...job('a'), secretEnvironment: { OTHER: 'one' } };
    assert.equal(definitionOf(a), definitionOf(b));
    assert.notEqual(definitionOf(a), definitionOf(c));
  });
});
