/**
 * Every file in workflows/ runs end to end, for real, with the outcome its comments promise.
 * A new example without an entry here fails the last test: each example must be exercised.
 */
import assert from 'node:assert/strict';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { REPO_ROOT, runCli, tempDir } from '../helpers/cli.js';
import { outputOf, runWorkflowJson, timesOf, type WorkflowRun } from '../helpers/workflow.js';

const state = tempDir();
const example = (name: string): string => join(REPO_ROOT, 'workflows', name);

before(async () => {
  // postgres.yaml needs its volume, as its header says.
  const volume = await runCli(['volume', 'create', 'pgdata'], { stateDir: state.dir });
  assert.equal(volume.code, 0, volume.stderr);
  // microservices.yaml needs its two networks, as its header says.
  for (const [name, cidr] of [
    ['backend', '10.30.0.0/24'],
    ['frontend', '10.31.0.0/24'],
  ] as const) {
    const r = await runCli(['network', 'create', name, `--cidr=${cidr}`], { stateDir: state.dir });
    assert.equal(r.code, 0, r.stderr);
  }
});

after(async () => {
  for (const name of ['backend', 'frontend']) {
    await runCli(['network', 'remove', name], { stateDir: state.dir });
  }
  state.cleanup();
});

function statuses(run: WorkflowRun): Record<string, string> {
  return Object.fromEntries(run.finished.jobs.map((j) => [j.job, j.status]));
}

const CHECKS: Record<string, () => Promise<void>> = {
  'diamond.yaml': async () => {
    const r = await runWorkflowJson(example('diamond.yaml'), state.dir);
    assert.equal(r.code, 0, r.stderr);
    const t = timesOf(r.events);
    const [fetch, left, right, join] = ['fetch', 'left', 'right', 'join'].map((j) => t.get(j));
    assert.ok(fetch && left && right && join);
    assert.ok(left.start >= fetch.end && right.start >= fetch.end, 'both sides after fetch');
    assert.ok(left.start < right.end && right.start < left.end, 'the two sides overlap');
    assert.ok(join.start >= Math.max(left.end, right.end), 'join after both sides');
    assert.deepEqual(outputOf(r.events, 'left'), ['left half of /tmp/diamond/left']);
  },
  'cleanup-on-failure.yaml': async () => {
    const r = await runWorkflowJson(example('cleanup-on-failure.yaml'), state.dir);
    assert.equal(r.code, 1);
    assert.deepEqual(statuses(r), {
      build: 'FAILED',
      cleanup: 'COMPLETED',
      publish: 'CANCELED',
      summary: 'COMPLETED',
    });
    assert.deepEqual(outputOf(r.events, 'build'), ['building', 'compiler error: something broke']);
  },
  'microservices.yaml': async () => {
    const r = await runWorkflowJson(example('microservices.yaml'), state.dir);
    assert.equal(r.code, 0, `${r.stderr}\n${JSON.stringify(r.events, null, 1)}`);
    assert.deepEqual(outputOf(r.events, 'client'), ['api answered 200']);
    assert.deepEqual(outputOf(r.events, 'web'), ['web job web on network frontend']);
    const web = r.finished.jobs.find((j) => j.job === 'web');
    assert.match(web?.address ?? '', /^10\.31\.0\.\d+$/, 'web is on frontend');
    const t = timesOf(r.events);
    const api = t.get('api');
    const client = t.get('client');
    assert.ok(api && client && client.start >= api.start && client.start < api.end);
  },
  'build-deploy.yaml': async () => {
    const r = await runWorkflowJson(example('build-deploy.yaml'), state.dir);
    assert.equal(r.code, 0, r.stderr);
    for (const os of ['debian', 'alpine'])
      for (const shard of [1, 2])
        assert.deepEqual(outputOf(r.events, `test-${os}-${String(shard)}`), [
          `testing 1.4.2 on ${os} shard ${String(shard)}: app 1.4.2`,
        ]);
    assert.deepEqual(outputOf(r.events, 'deploy'), ['deploying 1.4.2']);
  },
  'postgres.yaml': async () => {
    // Issue 11's check, with Debian's PostgreSQL: two runs on one volume.
    for (const run of [1, 2]) {
      const r = await runWorkflowJson(example('postgres.yaml'), state.dir);
      assert.equal(r.code, 0, `${r.stderr}\n${JSON.stringify(r.events, null, 1)}`);
      assert.deepEqual(statuses(r), { db: 'STOPPED', migrate: 'COMPLETED', query: 'COMPLETED' });
      const at = (event: string, job: string): number =>
        r.events.findIndex((e) => e.event === event && 'job' in e && e.job === job);
      assert.ok(at('job-ready', 'db') !== -1, 'pg_isready passed');
      assert.ok(at('job-ready', 'db') < at('job-started', 'migrate'), 'migrate after db is ready');
      // One attempt each, no retry loop in the file: psql connected on its first try.
      assert.equal(r.events.filter((e) => e.event === 'job-started').length, 3);
      const migrate = outputOf(r.events, 'migrate');
      if (run === 1) assert.deepEqual(migrate, ['CREATE TABLE', 'INSERT 0 1']);
      else assert.equal(migrate.at(-1), 'INSERT 0 1', migrate.join('\n')); // after a NOTICE: exists
      // query requires only migrate: COMPLETED, and db still serves it; the second run sees the
      // first run's row, kept in the volume.
      assert.deepEqual(outputOf(r.events, 'query'), [String(run)]);
      const t = timesOf(r.events);
      const db = t.get('db');
      const query = t.get('query');
      assert.ok(db && query && query.end <= db.end, 'db stopped only after query ended');
    }
    // The server ran as its own user: the data directory in the volume is not root's.
    const data = statSync(join(state.dir, 'volumes', 'pgdata', 'data'));
    assert.notEqual(data.uid, 0);
    assert.equal(statSync(join(state.dir, 'volumes', 'pgdata')).uid, data.uid);
  },
  'pipelines.yaml': async () => {
    for (const name of ['nightly', 'release']) {
      const r = await runWorkflowJson(`${example('pipelines.yaml')}:${name}`, state.dir);
      assert.equal(r.code, 0, r.stderr);
      assert.ok(r.finished.jobs.every((j) => j.status === 'COMPLETED'));
    }
  },
};

describe('example workflows run end to end', () => {
  for (const [file, check] of Object.entries(CHECKS)) it(`workflows/${file}`, check);

  it('every file in workflows/ is exercised here', () => {
    const files = readdirSync(join(REPO_ROOT, 'workflows')).filter((f) => /\.ya?ml$/.test(f));
    assert.deepEqual(files.sort(), Object.keys(CHECKS).sort());
  });
});
