import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { monotonicMs, unixMs } from '../../src/clock.js';

describe('clock', () => {
  it('measures intervals on a clock that never goes back', async () => {
    const readings = Array.from({ length: 1000 }, () => monotonicMs());
    for (let i = 1; i < readings.length; i++) {
      assert.ok((readings[i] ?? 0) >= (readings[i - 1] ?? 0));
    }
    const before = monotonicMs();
    await new Promise((resolve) => setTimeout(resolve, 20));
    const waited = monotonicMs() - before;
    assert.ok(waited >= 19 && waited < 1000, `waited ${String(waited)} ms`);
  });

  it('reads Unix time in milliseconds, finer than Date.now()', () => {
    const wall = Date.now();
    const unix = unixMs();
    assert.ok(Math.abs(unix - wall) < 50, `${String(unix)} against ${String(wall)}`);
    const later = unixMs();
    assert.ok(later >= unix);
    // Fractions of a millisecond, as performance.timeOrigin + performance.now() gave.
    const values = Array.from({ length: 50 }, () => unixMs());
    assert.ok(values.some((v) => !Number.isInteger(v)));
  });
});
