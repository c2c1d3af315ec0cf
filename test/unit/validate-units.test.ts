import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MEGABYTE, parseCpuCores, parseDuration, parseSize } from '../../src/validate/units.js';

describe('units', () => {
  it('reads sizes: bare numbers in the given unit, K/M/G/T as powers of 1024', () => {
    assert.equal(parseSize(512, MEGABYTE), 512 * MEGABYTE);
    assert.equal(parseSize('512', MEGABYTE), 512 * MEGABYTE);
    assert.equal(parseSize('512M', 1), 512 * MEGABYTE);
    assert.equal(parseSize('1.5GiB', 1), 1.5 * 1024 ** 3);
    assert.equal(parseSize('64kb', 1), 65536);
    assert.equal(parseSize('100B', MEGABYTE), 100);
    assert.equal(parseSize('lots', 1), undefined);
    assert.equal(parseSize(-1, 1), undefined);
  });

  it('reads durations: seconds or combined units', () => {
    assert.equal(parseDuration(30), 30_000);
    assert.equal(parseDuration('500ms'), 500);
    assert.equal(parseDuration('1h30m'), 5_400_000);
    assert.equal(parseDuration('2d'), 172_800_000);
    assert.equal(parseDuration('soon'), undefined);
    assert.equal(parseDuration('0s'), undefined);
  });

  it('reads cpu lists', () => {
    assert.equal(parseCpuCores(3), '3');
    assert.equal(parseCpuCores('0-1,4'), '0-1,4');
    assert.equal(parseCpuCores('first'), undefined);
  });
});
