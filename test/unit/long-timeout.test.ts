import assert from 'node:assert/strict';
import { describe, it, mock } from 'node:test';
import { setLongTimeout } from '../../src/long-timeout.js';

const DAY = 86_400_000;

describe('setLongTimeout', () => {
  it('fires after a delay past 2^31 ms, not before, by chaining timers', () => {
    mock.timers.enable({ apis: ['setTimeout', 'Date'] });
    try {
      let fired = 0;
      setLongTimeout(() => fired++, 30 * DAY);
      mock.timers.tick(24 * DAY);
      assert.equal(fired, 0);
      mock.timers.tick(2 * DAY);
      assert.equal(fired, 0);
      mock.timers.tick(4 * DAY - 1);
      assert.equal(fired, 0);
      mock.timers.tick(1);
      assert.equal(fired, 1);
      mock.timers.tick(60 * DAY);
      assert.equal(fired, 1);
    } finally {
      mock.timers.reset();
    }
  });

  it('can be cancelled in any link of the chain', () => {
    mock.timers.enable({ apis: ['setTimeout', 'Date'] });
    try {
      let fired = 0;
      const cancel = setLongTimeout(() => fired++, 60 * DAY);
      mock.timers.tick(30 * DAY);
      cancel();
      mock.timers.tick(60 * DAY);
      assert.equal(fired, 0);
    } finally {
      mock.timers.reset();
    }
  });

  it('with real timers, a short delay still fires once', async () => {
    let fired = 0;
    setLongTimeout(() => fired++, 5);
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(fired, 1);
  });
});
