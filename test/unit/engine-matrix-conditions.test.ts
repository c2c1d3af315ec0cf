/** Requirements on a matrix job: on all of its instances together, per condition. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { evaluateAll } from '../../src/engine/conditions.js';
import { Scheduler, type SchedulerJob } from '../../src/engine/scheduler.js';
import type { Condition } from '../../src/validate/model.js';

const INSTANCES = ['t-1', 't-2', 't-3'];

function jobs(condition: Condition): SchedulerJob[] {
  return [
    ...INSTANCES.map((name) => ({ name, requires: [] })),
    { name: 'after', requires: [{ job: 't', condition, of: INSTANCES }] },
  ];
}

function end(s: Scheduler, name: string, status: 'COMPLETED' | 'FAILED') {
  s.started(name);
  return s.complete(name, { status, reason: 'exit' });
}

describe('matrix requirements', () => {
  it('COMPLETED waits for every instance and fails on any failure', () => {
    const s = new Scheduler(jobs('COMPLETED'));
    s.next();
    assert.deepEqual(end(s, 't-1', 'COMPLETED').ready, []);
    assert.deepEqual(end(s, 't-2', 'COMPLETED').ready, []);
    assert.deepEqual(end(s, 't-3', 'COMPLETED').ready, ['after']);

    const f = new Scheduler(jobs('COMPLETED'));
    f.next();
    const t = end(f, 't-2', 'FAILED');
    assert.deepEqual(t.canceled, [
      { job: 'after', cause: 'requires t: COMPLETED, but t-2 ended FAILED' },
    ]);
  });

  it('FAILED is met once all ended and one failed, impossible when none did', () => {
    const s = new Scheduler(jobs('FAILED'));
    s.next();
    assert.deepEqual(end(s, 't-1', 'FAILED').ready, [], 'waits for the others to end');
    assert.deepEqual(end(s, 't-2', 'COMPLETED').ready, []);
    assert.deepEqual(end(s, 't-3', 'COMPLETED').ready, ['after']);

    const n = new Scheduler(jobs('FAILED'));
    n.next();
    end(n, 't-1', 'COMPLETED');
    end(n, 't-2', 'COMPLETED');
    assert.deepEqual(end(n, 't-3', 'COMPLETED').canceled, [
      { job: 'after', cause: 'requires t: FAILED, but none of its instances failed' },
    ]);
  });

  it('FINISHED needs every instance ended, RUNNING every instance running', () => {
    const s = new Scheduler(jobs('FINISHED'));
    s.next();
    end(s, 't-1', 'FAILED');
    end(s, 't-2', 'COMPLETED');
    assert.deepEqual(end(s, 't-3', 'FAILED').ready, ['after']);

    const r = new Scheduler(jobs('RUNNING'));
    r.next();
    assert.deepEqual(r.started('t-1').ready, []);
    assert.deepEqual(r.started('t-2').ready, []);
    assert.deepEqual(r.started('t-3').ready, ['after']);
    assert.equal(r.isService('t-2'), true);
  });

  it('evaluates the table on literal phases', () => {
    assert.equal(evaluateAll('COMPLETED', ['COMPLETED', 'running']), 'pending');
    assert.equal(evaluateAll('COMPLETED', ['CANCELED', 'running']), 'impossible');
    assert.equal(evaluateAll('FAILED', ['FAILED', 'running']), 'pending');
    assert.equal(evaluateAll('FAILED', ['FAILED', 'STOPPED']), 'met');
    assert.equal(evaluateAll('FAILED', ['COMPLETED', 'CANCELED']), 'impossible');
    assert.equal(evaluateAll('FAILED', ['running']), 'pending');
    assert.equal(evaluateAll('FINISHED', ['COMPLETED', 'STOPPED']), 'met');
  });
});
