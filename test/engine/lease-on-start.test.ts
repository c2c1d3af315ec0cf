/**
 * Addresses are leased when a job starts and released when it ends, by the runner alone: a
 * 300-job workflow runs on a /24 (253 job addresses) at concurrency 4, where leasing every job's
 * address up front would run out before anything started; every job gets an address of the
 * network, and no lease is left afterwards. Names follow: a job started later is found by name by
 * a job started before it, and a job that ended is no longer found.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { runCli, tempDir } from '../helpers/cli.js';
import { outputOf, runWorkflowJson, writeWorkflow } from '../helpers/workflow.js';

const state = tempDir();
const files = tempDir('rnx-wf-');
const JOBS = 300;

before(async () => {
  const r = await runCli(['network', 'create', 'small', '--cidr=10.46.0.0/24'], {
    stateDir: state.dir,
  });
  assert.equal(r.code, 0, r.stderr);
});

after(async () => {
  await runCli(['network', 'remove', 'small'], { stateDir: state.dir });
  state.cleanup();
  files.cleanup();
});

describe('leases on start', () => {
  it(`runs ${String(JOBS)} jobs on a /24 at concurrency 4, one lease per running job`, async () => {
    const lines = ['name: many', 'jobs:'];
    for (let i = 0; i < JOBS; i++) {
      lines.push(`  j${String(i)}:`, "    command: 'true'", '    network: small');
    }
    const file = writeWorkflow(files.dir, 'many', `${lines.join('\n')}\n`);
    const r = await runWorkflowJson(file, state.dir, ['--concurrency=4']);
    assert.equal(r.code, 0, r.stderr);
    const jobs = r.finished.jobs;
    assert.equal(jobs.length, JOBS);
    assert.deepEqual(
      jobs.filter((j) => j.status !== 'COMPLETED'),
      [],
    );
    for (const job of jobs) assert.match(job.address ?? '', /^10\.46\.0\.\d+$/, job.job);
    const inspect = await runCli(['network', 'inspect', 'small', '--json'], {
      stateDir: state.dir,
    });
    const leases = (JSON.parse(inspect.stdout) as { leases: unknown[] }).leases;
    assert.deepEqual(leases, [], 'no lease left');
  });

  it('runs jobs one after another on a /30 (one job address): none is set up ahead holding a lease', async () => {
    const created = await runCli(['network', 'create', 'tiny', '--cidr=10.47.0.0/30'], {
      stateDir: state.dir,
    });
    assert.equal(created.code, 0, created.stderr);
    try {
      const lines = ['name: tiny', 'jobs:'];
      for (let i = 0; i < 4; i++)
        lines.push(`  t${String(i)}:`, "    command: 'true'", '    network: tiny');
      const file = writeWorkflow(files.dir, 'tiny', `${lines.join('\n')}\n`);
      const r = await runWorkflowJson(file, state.dir, ['--concurrency=1']);
      assert.equal(r.code, 0, `${r.stderr}\n${JSON.stringify(r.finished.jobs)}`);
      assert.deepEqual(
        r.finished.jobs.map((j) => [j.status, j.address]),
        Array.from({ length: 4 }, () => ['COMPLETED', '10.47.0.2']),
      );
    } finally {
      await runCli(['network', 'remove', 'tiny'], { stateDir: state.dir });
    }
  });

  it('a job started later is found by name by an earlier one, and one that ended is gone', async () => {
    // early runs first; late starts once early runs. early waits until its /etc/hosts names
    // `late`, then ends; late waits until its /etc/hosts no longer names `early`. Both loops are
    // bounded (30 s).
    const file = writeWorkflow(
      files.dir,
      'names',
      `name: names
jobs:
  early:
    command: sh
    args: ['-c', 'for i in $(seq 300); do grep -w late /etc/hosts && exit 0; sleep 0.1; done; exit 1']
    network: small
  late:
    command: sh
    args: ['-c', 'for i in $(seq 300); do grep -qw early /etc/hosts || exit 0; sleep 0.1; done; exit 1']
    network: small
    requires: [early: RUNNING]
`,
    );
    const r = await runWorkflowJson(file, state.dir);
    assert.equal(r.code, 0, `${r.stderr}\n${JSON.stringify(r.finished.jobs)}`);
    const late = r.events.find((e) => e.event === 'job-started' && e.job === 'late');
    assert.ok(late?.event === 'job-started');
    const seen = outputOf(r.events, 'early');
    assert.deepEqual(
      seen.map((l) => l.split(/\s+/)),
      [[late.address, 'late']],
    );
  });
});
