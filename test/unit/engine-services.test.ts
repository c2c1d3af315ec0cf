import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Scheduler, type SchedulerJob } from '../../src/engine/scheduler.js';
import type { Condition } from '../../src/validate/model.js';

/** `job('api', 'db:RUNNING')`; a name ending in `?` has a readiness probe: `job('db?')`. */
function job(spec: string, ...requires: string[]): SchedulerJob {
  const probe = spec.endsWith('?');
  return {
    name: probe ? spec.slice(0, -1) : spec,
    ...(probe ? { probe } : {}),
    requires: requires.map((r) => {
      const [target = '', condition = 'COMPLETED'] = r.split(':');
      return { job: target, condition: condition as Condition };
    }),
  };
}

/** The usual shape: db serves, migrate needs it running, query needs only migrate. */
function pipeline(): Scheduler {
  return new Scheduler([job('db?'), job('migrate', 'db:RUNNING'), job('query', 'migrate')]);
}

describe('scheduler: readiness and service lifetime', () => {
  it('starts a RUNNING dependent only once the probe of the service passed', () => {
    const s = pipeline();
    assert.deepEqual(s.next(), ['db']);
    const started = s.started('db');
    assert.deepEqual(started.ready, [], 'running is not ready while the probe has not passed');
    assert.equal(s.isUp('db'), false);
    assert.deepEqual(s.next(), []);
    assert.deepEqual(s.probed('db').ready, ['migrate']);
    assert.equal(s.isUp('db'), true);
    assert.deepEqual(s.probed('db').ready, [], 'a second pass changes nothing');
  });

  it('treats a job without a probe as ready when it starts', () => {
    const s = new Scheduler([job('db'), job('api', 'db:RUNNING')]);
    s.next();
    assert.deepEqual(s.started('db').ready, ['api']);
    assert.equal(s.isUp('db'), true);
  });

  it('keeps the service while a job downstream of it can still run, whatever the condition', () => {
    const s = pipeline();
    s.next();
    s.started('db');
    s.probed('db');
    s.next();
    s.started('migrate');
    const migrated = s.complete('migrate', { status: 'COMPLETED' });
    assert.deepEqual(migrated.ready, ['query']);
    assert.deepEqual(migrated.stop, [], 'query reads what db serves: db keeps running');
    s.next();
    s.started('query');
    const queried = s.complete('query', { status: 'COMPLETED' });
    assert.deepEqual(queried.stop, ['db']);
    s.complete('db', { status: 'FAILED', reason: 'signal' });
    assert.equal(s.phase('db'), 'STOPPED');
    assert.equal(s.status(), 'COMPLETED');
  });

  it('keeps the service while a downstream job waits in backoff for its retry', () => {
    const s = new Scheduler([
      job('db'),
      { ...job('migrate', 'db:RUNNING'), retries: 1 },
      job('query', 'migrate'),
    ]);
    s.next();
    s.started('db');
    s.next();
    s.started('migrate');
    const failed = s.complete('migrate', { status: 'FAILED', reason: 'exit' });
    assert.equal(failed.retry?.job, 'migrate');
    assert.deepEqual(failed.stop, []);
  });

  it('stops the service once every downstream job was canceled', () => {
    const s = pipeline();
    s.next();
    s.started('db');
    s.probed('db');
    s.next();
    s.started('migrate');
    const t = s.complete('migrate', { status: 'FAILED', reason: 'exit' });
    assert.deepEqual(t.canceled, [
      { job: 'query', cause: 'requires migrate: COMPLETED, but migrate ended FAILED' },
    ]);
    assert.deepEqual(t.stop, ['db']);
  });

  it('cancels RUNNING dependents, and theirs, when the service fails before it is ready', () => {
    const s = pipeline();
    s.next();
    s.started('db');
    const t = s.complete('db', { status: 'FAILED', reason: 'exit' });
    assert.deepEqual(t.canceled, [
      { job: 'migrate', cause: 'requires db: RUNNING, but db ended FAILED before it was ready' },
      { job: 'query', cause: 'requires migrate: COMPLETED, but migrate was canceled' },
    ]);
    assert.equal(s.isDone(), true);
    assert.equal(s.status(), 'FAILED', 'a service that fails is the failure it is');
  });

  it('ends FAILED with reason not-ready when the probe never passed', () => {
    const s = pipeline();
    s.next();
    s.started('db');
    const t = s.complete('db', { status: 'FAILED', reason: 'not-ready' });
    assert.equal(t.canceled[0]?.job, 'migrate');
    assert.equal(s.snapshot()[0]?.reason, 'not-ready');
  });

  it('never starts a released dependent after its service ended', () => {
    const s = new Scheduler([job('db?'), job('api', 'db:RUNNING'), job('web', 'db:RUNNING')]);
    s.next();
    s.started('db');
    s.probed('db');
    // api and web are handed out; the engine began starting api only (web waits for a slot).
    assert.deepEqual(s.next(), ['api', 'web']);
    assert.equal(s.launch('api'), true);
    const t = s.complete('db', { status: 'FAILED', reason: 'exit' });
    const cause = 'requires db: RUNNING, but db ended (FAILED) before it could start';
    assert.deepEqual(t.canceled, [{ job: 'web', cause }]);
    assert.deepEqual(t.stop, [], 'api was started while db ran: it goes on');
    assert.equal(s.launch('web'), false, 'web must not be started any more');
    assert.equal(s.phase('web'), 'CANCELED');
    s.started('api');
    s.complete('api', { status: 'COMPLETED' });
    assert.equal(s.isDone(), true);
  });

  it('reports a service that exits on its own while still needed as what it is', () => {
    const s = pipeline();
    s.next();
    s.started('db');
    s.probed('db');
    s.next();
    s.started('migrate');
    s.complete('db', { status: 'FAILED', reason: 'exit' });
    assert.equal(s.phase('db'), 'FAILED');
    s.complete('migrate', { status: 'FAILED', reason: 'exit' });
    assert.equal(s.status(), 'FAILED');
  });

  it('does not wait for a job that itself waits for the service to end', () => {
    const s = new Scheduler([
      job('api'),
      job('client', 'api:RUNNING'),
      job('report', 'api:FINISHED', 'client'),
      job('archive', 'report'),
    ]);
    s.next();
    s.started('api');
    s.next();
    s.started('client');
    const t = s.complete('client', { status: 'COMPLETED' });
    assert.deepEqual(
      t.stop,
      ['api'],
      'report and archive wait for api to end: they cannot keep it',
    );
    const stopped = s.complete('api', { status: 'FAILED', reason: 'signal' });
    assert.deepEqual(stopped.ready, ['report']);
  });

  it('stops services in a chain one after the other: the outer one last', () => {
    const s = new Scheduler([job('db'), job('api', 'db:RUNNING'), job('test', 'api:RUNNING')]);
    s.next();
    s.started('db');
    s.next();
    s.started('api');
    s.next();
    s.started('test');
    assert.deepEqual(s.complete('test', { status: 'COMPLETED' }).stop, ['api']);
    assert.deepEqual(s.complete('api', { status: 'FAILED', reason: 'signal' }).stop, ['db']);
  });

  it('stops the service only after the last job of a long chain downstream of it', () => {
    const chain = Array.from({ length: 300 }, (_, i) =>
      job(`j${String(i)}`, i === 0 ? 'db:RUNNING' : `j${String(i - 1)}`),
    );
    const s = new Scheduler([job('db'), ...chain]);
    s.next();
    s.started('db');
    for (let i = 0; i < 300; i++) {
      const name = `j${String(i)}`;
      assert.deepEqual(s.next(), [name]);
      s.started(name);
      const t = s.complete(name, { status: 'COMPLETED' });
      assert.deepEqual(t.stop, i === 299 ? ['db'] : []);
    }
  });
});
