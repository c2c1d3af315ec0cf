/**
 * Workflow run records in a real database file: the recorder folds events as they come, the
 * `rnx workflow list|status` commands read them back.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, describe, it } from 'node:test';
import type { EngineEvent } from '../../src/engine/events.js';
import {
  findRun,
  listRuns,
  reconcileRuns,
  runAttemptJobIds,
  runJobs,
  WorkflowRecorder,
} from '../../src/engine/records.js';
import { selfIdentity } from '../../src/isolation/records/proc-identity.js';
import { openDatabase } from '../../src/state/database.js';
import { runCli, tempDir } from '../helpers/cli.js';

const state = tempDir();
after(() => state.cleanup());

const t = (s: number): string => new Date(Date.UTC(2026, 0, 1, 12, 0, s)).toISOString();

function events(runId: string): EngineEvent[] {
  return [
    {
      event: 'workflow-started',
      at: t(0),
      runId,
      workflow: 'build-and-test',
      file: 'workflows/x.yaml',
      concurrency: 2,
      jobs: [
        { job: 'build', network: 'none', requires: [] },
        { job: 'test', network: 'none', requires: [{ job: 'build', condition: 'COMPLETED' }] },
        { job: 'cleanup', network: 'none', requires: [{ job: 'test', condition: 'FAILED' }] },
      ],
    },
    {
      event: 'job-started',
      at: t(0),
      job: 'build',
      jobId: `${runId}/b1`,
      attempt: 1,
      pid: 5,
      network: 'none',
    },
    {
      event: 'job-finished',
      at: t(1),
      job: 'build',
      jobId: `${runId}/b1`,
      attempt: 1,
      status: 'FAILED',
      reason: 'exit',
      exitCode: 1,
      signal: null,
      durationMs: 1000,
    },
    { event: 'job-retrying', at: t(1), job: 'build', attempt: 2, delayMs: 1000 },
    {
      event: 'job-started',
      at: t(2),
      job: 'build',
      jobId: `${runId}/b2`,
      attempt: 2,
      pid: 6,
      network: 'none',
    },
  ];
}

function finish(runId: string): EngineEvent[] {
  const summary = { network: 'none', durationMs: null } as const;
  return [
    {
      event: 'job-finished',
      at: t(3),
      job: 'build',
      jobId: `${runId}/b2`,
      attempt: 2,
      status: 'COMPLETED',
      reason: 'exit',
      exitCode: 0,
      signal: null,
      durationMs: 1000,
    },
    {
      event: 'job-canceled',
      at: t(4),
      job: 'cleanup',
      cause: 'requires test: FAILED, but test ended COMPLETED',
    },
    {
      event: 'workflow-finished',
      at: t(4),
      runId,
      status: 'COMPLETED',
      exitCode: 0,
      durationMs: 4000,
      jobs: [
        {
          job: 'build',
          status: 'COMPLETED',
          reason: 'exit',
          exitCode: 0,
          attempts: 2,
          jobId: `${runId}/b2`,
          ...summary,
        },
        {
          job: 'test',
          status: 'COMPLETED',
          reason: 'exit',
          exitCode: 0,
          attempts: 1,
          jobId: `${runId}/t1`,
          ...summary,
        },
        {
          job: 'cleanup',
          status: 'CANCELED',
          reason: 'canceled',
          exitCode: null,
          attempts: 0,
          cause: 'requires test: FAILED, but test ended COMPLETED',
          ...summary,
        },
      ],
    },
  ];
}

describe('workflow records', () => {
  it('stores a run with its jobs and every attempt while it runs and when it ends', () => {
    const db = openDatabase(state.dir);
    const recorder = new WorkflowRecorder(db, selfIdentity());
    for (const e of events('wr-aaaa0001')) recorder.onEvent(e);
    assert.equal(findRun(db, 'wr-aaaa0001')?.status, 'RUNNING');
    assert.equal(runJobs(db, 'wr-aaaa0001')[0]?.status, 'RUNNING');
    for (const e of finish('wr-aaaa0001')) recorder.onEvent(e);
    const run = findRun(db, 'wr-aaaa');
    assert.equal(run?.status, 'COMPLETED');
    assert.equal(run?.jobs, 3);
    const jobs = runJobs(db, 'wr-aaaa0001');
    assert.deepEqual(
      jobs.map((j) => [j.name, j.status, j.exitCode, j.attempts, j.jobId]),
      [
        ['build', 'COMPLETED', 0, 2, 'wr-aaaa0001/b2'],
        ['test', 'COMPLETED', 0, 1, 'wr-aaaa0001/t1'],
        ['cleanup', 'CANCELED', null, 0, null],
      ],
    );
    assert.deepEqual(jobs[1]?.requires, [{ job: 'build', condition: 'COMPLETED' }]);
    assert.deepEqual(runAttemptJobIds(db, 'wr-aaaa0001'), ['wr-aaaa0001/b1', 'wr-aaaa0001/b2']);
    db.close();
  });

  it('marks a run whose rnx process died as CANCELED', () => {
    const db = openDatabase(state.dir);
    const deadPid = Number(readFileSync('/proc/sys/kernel/pid_max', 'utf8')) + 1;
    const recorder = new WorkflowRecorder(db, { pid: deadPid, startTime: 0 });
    for (const e of events('wr-dead0002')) recorder.onEvent(e);
    reconcileRuns(db, (owner) => owner.pid !== deadPid);
    assert.equal(findRun(db, 'wr-dead0002')?.status, 'CANCELED');
    assert.deepEqual(
      runJobs(db, 'wr-dead0002').map((j) => j.status),
      ['CANCELED', 'CANCELED', 'CANCELED'],
    );
    assert.equal(listRuns(db).length, 2);
    db.close();
  });

  it('rnx workflow list shows runs newest first; status shows jobs and dependencies', async () => {
    const list = await runCli(['workflow', 'list'], { stateDir: state.dir });
    assert.equal(list.code, 0, list.stderr);
    const lines = list.stdout.trimEnd().split('\n');
    assert.match(lines[0] ?? '', /^ID\s+WORKFLOW\s+STATUS\s+JOBS\s+STARTED\s+DURATION\s+FILE$/);
    assert.equal(lines.length, 3);
    const status = await runCli(['workflow', 'status', 'wr-aaaa0001'], { stateDir: state.dir });
    assert.equal(status.code, 0, status.stderr);
    assert.match(
      status.stdout,
      /^workflow build-and-test \(workflows\/x\.yaml\), run wr-aaaa0001: COMPLETED$/m,
    );
    assert.match(status.stdout, /^test\s+COMPLETED\s+0\s+build: COMPLETED\s/m);
    assert.match(
      status.stdout,
      /^cleanup\s+CANCELED\s+-\s+test: FAILED\s+0\s+-\s+requires test: FAILED/m,
    );
    const json = await runCli(['workflow', 'status', 'wr-aaaa0001', '--json'], {
      stateDir: state.dir,
    });
    const parsed = JSON.parse(json.stdout) as { jobs: { name: string }[] };
    assert.deepEqual(
      parsed.jobs.map((j) => j.name),
      ['build', 'test', 'cleanup'],
    );
  });

  it('rnx workflow status says so when the run does not exist', async () => {
    const r = await runCli(['workflow', 'status', 'wr-nope'], { stateDir: state.dir });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /no workflow run 'wr-nope'/);
  });
});

describe('workflow run references', () => {
  it('a `%` or `_` is a character, not a pattern: it matches no run', async () => {
    for (const ref of ['%', '_', 'wr-a%', 'wr-a_aa', 'wr-aaaa000_', '\\']) {
      const r = await runCli(['workflow', 'status', ref], { stateDir: state.dir });
      assert.equal(r.code, 1, ref);
      assert.match(r.stderr, /no workflow run/);
    }
  });

  it('an ambiguous prefix says so and names the candidates, exit 2, in every run command', async () => {
    for (const args of [
      ['workflow', 'status', 'wr-'],
      ['workflow', 'stop', 'wr-'],
      ['workflow', 'wait', 'wr-'],
      ['workflow', 'logs', 'wr-'],
      ['workflow', 'rerun', 'wr-'],
      ['workflow', 'artifacts', 'wr-'],
      ['job', 'list', '--workflow=wr-'],
    ]) {
      const r = await runCli(args, { stateDir: state.dir });
      assert.equal(r.code, 2, args.join(' '));
      assert.match(
        r.stderr,
        /^rnx: run id prefix 'wr-' is ambiguous: wr-aaaa0001, wr-dead0002\n/,
        args.join(' '),
      );
    }
    const none = await runCli(['workflow', 'artifacts', 'wr-b'], { stateDir: state.dir });
    assert.equal(none.code, 1);
    assert.match(none.stderr, /^rnx: no workflow run 'wr-b'\n/);
  });

  it('an id of 50,000 characters is not found, in one line', async () => {
    const r = await runCli(['workflow', 'status', 'w'.repeat(50_000)], { stateDir: state.dir });
    assert.equal(r.code, 1);
    assert.doesNotMatch(r.stderr, /\n\s+at /);
    assert.ok(r.stderr.length < 500, r.stderr);
  });
});
