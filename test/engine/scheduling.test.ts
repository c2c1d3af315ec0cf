/**
 * The engine on real isolated jobs: order proven from recorded start and end times, the
 * concurrency cap observed, failures propagated, timeouts enforced.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { runCli, tempDir } from '../helpers/cli.js';
import { runWorkflowJson, timesOf, writeWorkflow } from '../helpers/workflow.js';

const state = tempDir();
const files = tempDir('rnx-wf-');
after(() => {
  state.cleanup();
  files.cleanup();
});

/** The largest number of jobs whose [start, end) intervals overlap at one instant. */
function maxOverlap(times: Iterable<{ start: number; end: number }>): number {
  const edges = [...times].flatMap((t) => [
    { at: t.start, d: 1 },
    { at: t.end, d: -1 },
  ]);
  edges.sort((a, b) => a.at - b.at || a.d - b.d);
  let now = 0;
  let most = 0;
  for (const edge of edges) {
    now += edge.d;
    most = Math.max(most, now);
  }
  return most;
}

const SIX_SLEEPERS = `name: sleepers
jobs:
${[1, 2, 3, 4, 5, 6].map((i) => `  s${String(i)}:\n    command: sleep\n    args: ['0.4']\n    network: none\n`).join('')}`;

describe('scheduling real jobs', () => {
  it('runs a chain strictly in order, each job after the one it requires ended', async () => {
    const file = writeWorkflow(
      files.dir,
      'chain',
      `name: chain
jobs:
  first: { command: sleep, args: ['0.2'], network: none }
  second: { command: sleep, args: ['0.2'], network: none, requires: [first: COMPLETED] }
  third: { command: 'true', network: none, requires: [second: COMPLETED] }
`,
    );
    const r = await runWorkflowJson(file, state.dir);
    assert.equal(r.code, 0, r.stderr);
    const t = timesOf(r.events);
    const [first, second, third] = ['first', 'second', 'third'].map((n) => t.get(n));
    assert.ok(first && second && third);
    assert.ok(second.start >= first.end, 'second started after first ended');
    assert.ok(third.start >= second.end, 'third started after second ended');
  });

  it('never runs more jobs at once than --concurrency', async () => {
    const file = writeWorkflow(files.dir, 'sleepers', SIX_SLEEPERS);
    const capped = await runWorkflowJson(file, state.dir, ['--concurrency=2']);
    assert.equal(capped.code, 0, capped.stderr);
    assert.equal(maxOverlap(timesOf(capped.events).values()), 2);
    const wide = await runWorkflowJson(file, state.dir, ['--concurrency=6']);
    assert.ok(maxOverlap(timesOf(wide.events).values()) > 2, 'without the cap they overlap');
  });

  it('cancels the dependents of a failed job transitively and exits 1', async () => {
    const file = writeWorkflow(
      files.dir,
      'broken',
      `name: broken
jobs:
  compile: { command: sh, args: ['-c', 'echo oops >&2; exit 4'], network: none }
  test: { command: 'true', network: none, requires: [compile: COMPLETED] }
  ship: { command: 'true', network: none, requires: [test: COMPLETED] }
  tidy: { command: 'true', network: none, requires: [compile: FAILED] }
`,
    );
    const r = await runWorkflowJson(file, state.dir);
    assert.equal(r.code, 1);
    assert.equal(r.finished.status, 'FAILED');
    assert.deepEqual(
      r.finished.jobs.map((j) => [j.job, j.status, j.exitCode]),
      [
        ['compile', 'FAILED', 4],
        ['test', 'CANCELED', null],
        ['ship', 'CANCELED', null],
        ['tidy', 'COMPLETED', 0],
      ],
    );
    assert.equal(r.finished.jobs[2]?.cause, 'requires test: COMPLETED, but test was canceled');
  });

  it('stops a job at its timeout: FAILED with reason timeout', async () => {
    const file = writeWorkflow(
      files.dir,
      'slow',
      `name: slow
jobs:
  slow:
    command: sh
    args: ['-c', 'trap "exit 143" TERM; while :; do sleep 0.1; done']
    network: none
    timeout: 1s
  after: { command: 'true', network: none, requires: [slow: FAILED] }
`,
    );
    const r = await runWorkflowJson(file, state.dir);
    assert.equal(r.code, 1);
    const slow = r.finished.jobs[0];
    assert.equal(slow?.status, 'FAILED');
    assert.equal(slow?.reason, 'timeout');
    assert.equal(r.finished.jobs[1]?.status, 'COMPLETED');
  });

  it('retries a failing job, recording each attempt, until it succeeds', async () => {
    // Attempts count themselves in a volume: the only place a job may write that outlives it.
    const volume = await runCli(['volume', 'create', 'flaky-count'], { stateDir: state.dir });
    assert.equal(volume.code, 0, volume.stderr);
    const marker = '/volumes/flaky-count/attempts';
    const file = writeWorkflow(
      files.dir,
      'flaky',
      `name: flaky
jobs:
  flaky:
    command: sh
    args: ['-c', 'echo x >> ${marker}; test $(wc -l < ${marker}) -ge 3']
    network: none
    volumes: [flaky-count]
    retries: 3
`,
    );
    const r = await runWorkflowJson(file, state.dir);
    assert.equal(r.code, 0, r.stderr);
    const attempts = r.events.flatMap((e) =>
      e.event === 'job-finished' ? [[e.attempt, e.status, e.jobId]] : [],
    );
    assert.deepEqual(
      attempts.map(([a, s]) => [a, s]),
      [
        [1, 'FAILED'],
        [2, 'FAILED'],
        [3, 'COMPLETED'],
      ],
    );
    assert.equal(new Set(attempts.map((a) => a[2])).size, 3, 'one job id per attempt');
    const retries = r.events.flatMap((e) => (e.event === 'job-retrying' ? [e.delayMs] : []));
    assert.deepEqual(retries, [1000, 2000], 'exponential backoff');
  });

  it('refuses a --concurrency that is not a positive whole number, starting nothing', async () => {
    const file = writeWorkflow(files.dir, 'sleepers', SIX_SLEEPERS);
    for (const bad of ['0', '-1', 'two', '1.5']) {
      const r = await runCli(['job', 'run', `--workflow=${file}`, `--concurrency=${bad}`], {
        stateDir: state.dir,
      });
      assert.equal(r.code, 2);
      assert.match(r.stderr, /--concurrency takes a positive whole number/);
      assert.doesNotMatch(r.stdout, /started/);
    }
  });
});
