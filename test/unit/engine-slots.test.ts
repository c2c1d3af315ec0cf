import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Slots } from '../../src/engine/slots.js';

/** Whether `p` has settled after the microtasks queued so far ran, and how. */
async function settled<T>(p: Promise<T>): Promise<{ value: T } | 'pending'> {
  const pending = Symbol('pending');
  const first = await Promise.race([
    p,
    new Promise<typeof pending>((r) => setImmediate(() => r(pending))),
  ]);
  return first === pending ? 'pending' : { value: first };
}

describe('the concurrency slots', () => {
  it('gives free slots at once and makes the next caller wait', async () => {
    const slots = new Slots(2);
    const never = new AbortController().signal;
    assert.deepEqual(await settled(slots.take(never)), { value: true });
    assert.deepEqual(await settled(slots.take(never)), { value: true });
    const third = slots.take(never);
    assert.equal(await settled(third), 'pending');
    slots.give();
    assert.deepEqual(await settled(third), { value: true });
  });

  it('serves waiters in the order they asked', async () => {
    const slots = new Slots(1);
    const never = new AbortController().signal;
    await slots.take(never);
    const order: string[] = [];
    const a = slots.take(never).then(() => order.push('a'));
    const b = slots.take(never).then(() => order.push('b'));
    slots.give();
    await a;
    assert.equal(await settled(b), 'pending');
    slots.give();
    await b;
    assert.deepEqual(order, ['a', 'b']);
  });

  it('a waiter whose signal aborts gets false and takes no slot', async () => {
    const slots = new Slots(1);
    const never = new AbortController().signal;
    await slots.take(never);
    const stop = new AbortController();
    const stopped = slots.take(stop.signal);
    const after = slots.take(never);
    stop.abort();
    assert.deepEqual(await settled(stopped), { value: false });
    slots.give();
    assert.deepEqual(await settled(after), { value: true }, 'the slot went to the next waiter');
    assert.deepEqual(await settled(slots.take(AbortSignal.abort())), { value: false });
  });

  it('a freed slot is not taken ahead of a waiter', async () => {
    const slots = new Slots(1);
    const never = new AbortController().signal;
    await slots.take(never);
    const waiter = slots.take(never);
    slots.give();
    // The slot is the waiter's: a new caller waits.
    const late = slots.take(never);
    assert.deepEqual(await settled(waiter), { value: true });
    assert.equal(await settled(late), 'pending');
  });
});
