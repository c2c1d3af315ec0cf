/**
 * Outputs, artifacts and reuse through the engine on literal plans, with an in-memory runner and
 * in-memory run files: what a job writes reaches its dependents, a missing output fails the
 * dependent before it starts, artifacts are bound for direct dependents only, reused jobs never run.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { EngineEvent } from '../../src/engine/events.js';
import type { AttemptFiles, EngineDeps, RunFiles } from '../../src/engine/ports.js';
import { runWorkflow, type Reuse } from '../../src/engine/run.js';
import type { JobSpec } from '../../src/isolation/job-spec.js';
import { fail, ok } from '../../src/problem.js';
import type { PlannedJob, Plan } from '../../src/validate/model.js';

function job(
  name: string,
  args: string[],
  requires: string[] = [],
  artifacts?: string[],
): PlannedJob {
  return {
    name,
    command: 'test',
    args,
    network: 'none',
    volumes: [],
    uploads: { files: [], directories: [] },
    requires: requires.map((r) => ({ job: r, condition: 'COMPLETED' })),
    environment: requires.includes('a') ? { FROM: '${jobs.a.outputs.v}' } : {},
    secretEnvironment: {},
    resources: {},
    retries: 0,
    ...(artifacts === undefined ? {} : { artifacts }),
  };
}

/** Run files in memory: a job's "output file" is a string; artifacts kept are names. */
class MemoryFiles implements RunFiles {
  readonly written = new Map<string, string>();
  readonly discarded: string[] = [];
  prepare(_runId: string, jobId: string, workspace: boolean): AttemptFiles {
    return { outputDir: `out/${jobId}`, ...(workspace ? { workspace: `work/${jobId}` } : {}) };
  }
  outputText(files: AttemptFiles) {
    return ok(this.written.get(files.outputDir) ?? '');
  }
  keepArtifacts(files: AttemptFiles, _runId: string, _job: string, patterns: readonly string[]) {
    const made = this.written.get(`${files.workspace ?? ''}/made`) ?? '';
    const missing = patterns.find((p) => !made.split(',').includes(p));
    return missing === undefined ? ok([...patterns]) : fail('artifact-missing', `no ${missing}`);
  }
  artifactsDir(runId: string, job: string): string {
    return `artifacts/${runId}/${job}`;
  }
  discard(_runId: string, jobId: string): Promise<void> {
    this.discarded.push(jobId);
    return Promise.resolve();
  }
}

/** `args[0]` is what the job "writes" to $RNX_OUTPUT, `args[1]` the artifacts it makes. */
function deps(files: MemoryFiles, specs: JobSpec[]): EngineDeps {
  let ids = 0;
  return {
    newJobId: () => `id${String(++ids)}`,
    files,
    runner: {
      async run(spec, hooks) {
        specs.push(spec);
        assert.ok(await hooks.slot(), 'its turn');
        hooks.onStarted({ pid: 1 });
        const out = spec.binds?.find((b) => b.target === '/run/rnx')?.source ?? '';
        files.written.set(out, spec.args[0] ?? '');
        if (spec.workspace !== undefined)
          files.written.set(`${spec.workspace}/made`, spec.args[1] ?? '');
        return {
          id: spec.id,
          status: 'COMPLETED',
          reason: 'exit',
          exitCode: 0,
          signal: null,
          network: spec.network,
          endedAt: new Date().toISOString(),
        };
      },
    },
  };
}

async function run(plan: Plan, files: MemoryFiles, specs: JobSpec[], reuse?: Reuse) {
  const events: EngineEvent[] = [];
  const r = await runWorkflow(plan, deps(files, specs), {
    runId: 'wr-test',
    concurrency: 2,
    onEvent: (e) => events.push(e),
    ...(reuse === undefined ? {} : { reuse }),
  });
  assert.ok(r.ok);
  return { outcome: r.value, events };
}

const PLAN: Plan = {
  file: 'w.yaml',
  name: 'w',
  jobs: [
    job('a', ['v=42\nother=x', 'dist/app.txt'], [], ['dist/app.txt']),
    job('b', ['', ''], ['a']),
    job('c', ['', ''], ['b']),
  ],
  waves: [['a'], ['b'], ['c']],
};

describe('engine: outputs, artifacts, reuse', () => {
  it('substitutes outputs, binds artifacts for direct dependents, removes every attempt', async () => {
    const files = new MemoryFiles();
    const specs: JobSpec[] = [];
    const { outcome } = await run(PLAN, files, specs);
    assert.equal(outcome.status, 'COMPLETED');
    const [a, b, c] = specs;
    assert.equal(a?.env['RNX_OUTPUT'], '/run/rnx/output');
    assert.equal(a?.workspace, 'work/id1', 'a keeps artifacts: it gets a workspace');
    assert.equal(b?.workspace, undefined);
    assert.equal(b?.env['FROM'], '42');
    assert.deepEqual(
      b?.binds?.map((x) => [x.target, x.readOnly]),
      [
        ['/run/rnx', false],
        ['/artifacts/a', true],
      ],
    );
    assert.deepEqual(
      c?.binds?.map((x) => x.target),
      ['/run/rnx'],
      'c requires b, not a: no artifacts of a',
    );
    assert.deepEqual(outcome.jobs[0]?.outputs, { v: '42', other: 'x' });
    assert.deepEqual(files.discarded.sort(), ['id1', 'id2', 'id3']);
  });

  it('fails a job missing an output before it starts, and one missing its artifact', async () => {
    const files = new MemoryFiles();
    const specs: JobSpec[] = [];
    const plan: Plan = {
      ...PLAN,
      jobs: [
        job('a', ['nothing=here', 'dist/app.txt'], [], ['dist/app.txt', 'x.txt']),
        job('b', [''], ['a']),
      ],
    };
    const { outcome } = await run(plan, files, specs);
    assert.deepEqual(
      outcome.jobs.map((j) => [j.job, j.status, j.reason]),
      [
        ['a', 'FAILED', 'artifact-missing'],
        ['b', 'CANCELED', 'canceled'],
      ],
    );
    const missing: Plan = { ...PLAN, jobs: [job('a', ['w=1', '']), job('b', [''], ['a'])] };
    const r = await run(missing, new MemoryFiles(), []);
    const b = r.events.find((e) => e.event === 'job-finished' && e.job === 'b');
    assert.ok(b?.event === 'job-finished');
    assert.equal(b.reason, 'output-missing');
    assert.equal(
      r.events.some((e) => e.event === 'job-started' && e.job === 'b'),
      false,
    );
  });

  it('never runs reused jobs, and hands on their outputs and artifacts', async () => {
    const files = new MemoryFiles();
    const specs: JobSpec[] = [];
    const reuse: Reuse = {
      fromRun: 'wr-old',
      jobs: new Map([['a', { outputs: { v: 'old' }, artifactsDir: 'artifacts/wr-test/a' }]]),
    };
    const { outcome, events } = await run(PLAN, files, specs, reuse);
    assert.equal(outcome.status, 'COMPLETED');
    assert.deepEqual(
      specs.map((s) => s.name),
      ['b', 'c'],
    );
    assert.equal(specs[0]?.env['FROM'], 'old');
    assert.equal(specs[0]?.binds?.[1]?.source, 'artifacts/wr-test/a');
    assert.ok(
      events.some((e) => e.event === 'job-reused' && e.job === 'a' && e.fromRun === 'wr-old'),
    );
    assert.equal(outcome.jobs[0]?.cause, 'reused from wr-old');
  });
});
