import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Scheduler, type SchedulerJob } from '../../src/engine/scheduler.js';
import type { Condition } from '../../src/validate/model.js';

/** `job('d', 'b', 'c:FAILED')`: job d requiring b (COMPLETED) and c (FAILED). */
function job(name: string, ...requires: string[]): SchedulerJob {
  return {
    name,
    requires: requires.map((r) => {
      const [target = '', condition = 'COMPLETED'] = r.split(':');
      return { job: target, condition: condition as Condition };
    }),
  };
}

/** Hands out, starts and completes one job, returning what its completion released. */
function run(s: Scheduler, name: string, status: 'COMPLETED' | 'FAILED' = 'COMPLETED') {
  assert.ok(s.next().includes(name) || s.phase(name) === 'dispatched', `${name} not ready`);
  s.started(name);
  return s.complete(name, { status, reason: 'exit' });
}

describe('scheduler', () => {
  it('runs a chain one job after the other', () => {
    const s = new Scheduler([job('a'), job('b', 'a'), job('c', 'b')]);
    assert.deepEqual(s.next(), ['a']);
    assert.deepEqual(s.next(), [], 'a job is handed out once');
    assert.deepEqual(s.started('a').ready, []);
    assert.deepEqual(s.complete('a', { status: 'COMPLETED' }).ready, ['b']);
    assert.deepEqual(run(s, 'b').ready, ['c']);
    assert.equal(s.isDone(), false);
    assert.deepEqual(run(s, 'c').ready, []);
    assert.equal(s.isDone(), true);
    assert.equal(s.status(), 'COMPLETED');
  });

  it('releases the join of a diamond only when both sides completed', () => {
    const s = new Scheduler([job('a'), job('b', 'a'), job('c', 'a'), job('d', 'b', 'c')]);
    assert.deepEqual(run(s, 'a').ready, ['b', 'c']);
    assert.deepEqual(s.next(), ['b', 'c']);
    assert.deepEqual(run(s, 'c').ready, []);
    assert.deepEqual(run(s, 'b').ready, ['d']);
  });

  it('releases every leaf of a wide fan-out at once', () => {
    const leaves = Array.from({ length: 64 }, (_, i) => job(`leaf${String(i)}`, 'root'));
    const s = new Scheduler([job('root'), ...leaves]);
    assert.deepEqual(s.ready(), ['root']);
    assert.equal(run(s, 'root').ready.length, 64);
    assert.equal(s.next().length, 64);
  });

  it('runs a cleanup job on a FAILED branch and cancels the success path transitively', () => {
    const s = new Scheduler([
      job('build'),
      job('deploy', 'build'),
      job('announce', 'deploy'),
      job('cleanup', 'build:FAILED'),
    ]);
    const t = run(s, 'build', 'FAILED');
    assert.deepEqual(t.ready, ['cleanup']);
    assert.deepEqual(t.canceled, [
      { job: 'deploy', cause: 'requires build: COMPLETED, but build ended FAILED' },
      { job: 'announce', cause: 'requires deploy: COMPLETED, but deploy was canceled' },
    ]);
    run(s, 'cleanup');
    assert.equal(s.isDone(), true);
    assert.equal(s.status(), 'FAILED', 'a handled failure is still a failed workflow');
  });

  it('cancels the cleanup job when the build completes, and the workflow completes', () => {
    const s = new Scheduler([job('build'), job('deploy', 'build'), job('cleanup', 'build:FAILED')]);
    const t = run(s, 'build');
    assert.deepEqual(t.ready, ['deploy']);
    assert.deepEqual(t.canceled, [
      { job: 'cleanup', cause: 'requires build: FAILED, but build ended COMPLETED' },
    ]);
    run(s, 'deploy');
    assert.equal(s.status(), 'COMPLETED');
  });

  it('runs a FINISHED dependent whether the job completed or failed', () => {
    for (const status of ['COMPLETED', 'FAILED'] as const) {
      const s = new Scheduler([job('test'), job('report', 'test:FINISHED')]);
      assert.deepEqual(run(s, 'test', status).ready, ['report']);
    }
  });

  it('cancels a FINISHED dependent only when the job never ran', () => {
    const s = new Scheduler([job('a'), job('b', 'a'), job('c', 'b:FINISHED')]);
    const t = run(s, 'a', 'FAILED');
    assert.deepEqual(
      t.canceled.map((c) => c.job),
      ['b', 'c'],
    );
  });

  it('releases a RUNNING dependent once the service starts, then stops the service', () => {
    const s = new Scheduler([job('db'), job('api', 'db:RUNNING'), job('web', 'api')]);
    assert.equal(s.isService('db'), true);
    assert.deepEqual(s.next(), ['db']);
    const t = s.started('db');
    assert.deepEqual(t.ready, ['api']);
    assert.deepEqual(t.stop, []);
    s.next();
    s.started('api');
    const done = s.complete('api', { status: 'COMPLETED' });
    assert.deepEqual(done.ready, ['web']);
    assert.deepEqual(done.stop, [], 'web, downstream of db through api, can still run');
    assert.deepEqual(run(s, 'web').stop, ['db'], 'nothing left needs db');
    // The service dies of the stop signal: that is STOPPED, not a failure.
    s.complete('db', { status: 'FAILED', reason: 'signal' });
    assert.equal(s.phase('db'), 'STOPPED');
    assert.equal(s.status(), 'COMPLETED');
  });

  it('keeps a service running while a dependent still waits for it', () => {
    const s = new Scheduler([job('db'), job('api', 'db:RUNNING'), job('check', 'db:RUNNING')]);
    s.next();
    assert.deepEqual(s.started('db').ready, ['api', 'check']);
    s.next();
    s.started('api');
    s.started('check');
    assert.deepEqual(s.complete('api', { status: 'COMPLETED' }).stop, []);
    assert.deepEqual(s.complete('check', { status: 'COMPLETED' }).stop, ['db']);
  });

  it('cancels a RUNNING dependent when the service ends before it could start', () => {
    const s = new Scheduler([job('db'), job('seed'), job('api', 'db:RUNNING', 'seed')]);
    assert.deepEqual(s.next(), ['db', 'seed']);
    s.started('db');
    s.started('seed');
    const t = s.complete('db', { status: 'COMPLETED' });
    assert.deepEqual(t.canceled, [
      { job: 'api', cause: 'requires db: RUNNING, but db ended (COMPLETED) before it could start' },
    ]);
  });

  it('stops a service whose only dependent was canceled', () => {
    const s = new Scheduler([job('db'), job('migrate'), job('api', 'db:RUNNING', 'migrate')]);
    s.next();
    s.started('db');
    s.started('migrate');
    const t = s.complete('migrate', { status: 'FAILED' });
    assert.deepEqual(t.canceled, [
      { job: 'api', cause: 'requires migrate: COMPLETED, but migrate ended FAILED' },
    ]);
    assert.deepEqual(t.stop, ['db']);
  });

  it('spreads cancellation through a long chain and leaves unrelated jobs alone', () => {
    const s = new Scheduler([
      job('a'),
      job('b', 'a'),
      job('c', 'b'),
      job('d', 'c'),
      job('e', 'd'),
      job('other'),
    ]);
    assert.deepEqual(s.next(), ['a', 'other']);
    s.started('a');
    const t = s.complete('a', { status: 'FAILED' });
    assert.deepEqual(
      t.canceled.map((c) => c.job),
      ['b', 'c', 'd', 'e'],
    );
    assert.equal(s.isDone(), false, 'other is still running');
    s.started('other');
    s.complete('other', { status: 'COMPLETED' });
    assert.equal(s.isDone(), true);
    assert.equal(s.status(), 'FAILED');
  });

  it('retries a failed job with exponential backoff up to a cap, counting attempts', () => {
    const policy = { baseMs: 100, factor: 2, capMs: 250 };
    const s = new Scheduler([{ ...job('flaky'), retries: 3 }, job('after', 'flaky')], policy);
    const delays: number[] = [];
    for (let attempt = 1; attempt <= 3; attempt++) {
      assert.deepEqual(s.next(), ['flaky']);
      s.started('flaky');
      const t = s.complete('flaky', { status: 'FAILED', reason: 'exit' });
      assert.equal(t.retry?.attempt, attempt + 1);
      delays.push(t.retry?.delayMs ?? -1);
      assert.equal(s.phase('flaky'), 'backoff');
      assert.equal(s.phase('after'), 'waiting', 'dependents wait through the retries');
      assert.deepEqual(s.next(), [], 'nothing starts before the delay');
      assert.deepEqual(s.retryDue('flaky').ready, ['flaky']);
    }
    assert.deepEqual(delays, [100, 200, 250]);
    s.next();
    s.started('flaky');
    const last = s.complete('flaky', { status: 'FAILED', reason: 'exit' });
    assert.equal(last.retry, undefined, 'no retries left');
    assert.equal(s.attempt('flaky'), 4);
    assert.deepEqual(
      last.canceled.map((c) => c.job),
      ['after'],
    );
  });

  it('releases dependents when a retried job finally completes', () => {
    const s = new Scheduler([{ ...job('flaky'), retries: 1 }, job('after', 'flaky')]);
    s.next();
    s.started('flaky');
    s.complete('flaky', { status: 'FAILED' });
    s.retryDue('flaky');
    assert.deepEqual(run(s, 'flaky').ready, ['after']);
    run(s, 'after');
    assert.equal(s.status(), 'COMPLETED', 'a failure that a retry fixed does not fail the run');
  });

  it('treats a timed-out job as FAILED with reason timeout, retried like any failure', () => {
    const s = new Scheduler([
      { ...job('slow'), retries: 1 },
      job('on-fail', 'slow:FAILED'),
      job('on-ok', 'slow'),
    ]);
    s.next();
    s.started('slow');
    assert.equal(s.complete('slow', { status: 'FAILED', reason: 'timeout' }).retry?.attempt, 2);
    s.retryDue('slow');
    s.next();
    s.started('slow');
    const t = s.complete('slow', { status: 'FAILED', reason: 'timeout' });
    assert.deepEqual(t.ready, ['on-fail']);
    assert.deepEqual(
      s.snapshot().find((j) => j.name === 'slow'),
      { name: 'slow', phase: 'FAILED', attempts: 2, reason: 'timeout' },
    );
  });

  it('on interrupt cancels waiting and backoff jobs, stops running ones, and ends CANCELED', () => {
    const s = new Scheduler([
      job('a'),
      { ...job('flaky'), retries: 2 },
      job('b', 'a'),
      job('c', 'b'),
    ]);
    s.next();
    s.started('a');
    s.started('flaky');
    s.complete('flaky', { status: 'FAILED' });
    const t = s.interrupt('interrupted by SIGINT');
    assert.deepEqual(t.stop, ['a']);
    assert.deepEqual(
      t.canceled.map((c) => c.job),
      ['flaky', 'b', 'c'],
    );
    assert.equal(s.retryDue('flaky').ready.length, 0, 'a pending retry never fires');
    assert.deepEqual(s.next(), []);
    s.complete('a', { status: 'STOPPED', reason: 'stopped' });
    assert.equal(s.isDone(), true);
    assert.equal(s.status(), 'CANCELED');
  });

  it('stops a job that starts after the interrupt at once', () => {
    const s = new Scheduler([job('a')]);
    s.next();
    s.interrupt('interrupted');
    assert.deepEqual(s.started('a').stop, ['a']);
  });

  it('lets the engine cancel a handed-out job it never started', () => {
    const s = new Scheduler([job('a'), job('b', 'a')]);
    s.next();
    s.interrupt('interrupted by SIGTERM');
    s.complete('a', { status: 'CANCELED', reason: 'canceled' });
    assert.equal(s.isDone(), true);
    assert.equal(s.snapshot()[0]?.cause, 'interrupted by SIGTERM');
  });

  it('fails a workflow whose job was stopped by someone else', () => {
    const s = new Scheduler([job('a')]);
    s.next();
    s.started('a');
    s.complete('a', { status: 'STOPPED', reason: 'stopped' });
    assert.equal(s.status(), 'FAILED');
  });

  it('refuses transitions that break the life cycle', () => {
    const s = new Scheduler([job('a'), job('b', 'a')]);
    assert.throws(() => s.started('b'), /job 'b' is waiting/);
    assert.throws(() => s.complete('a', { status: 'COMPLETED' }), /job 'a' is ready/);
    assert.throws(() => new Scheduler([job('x', 'nope')]), /unknown job 'nope'/);
  });
});
