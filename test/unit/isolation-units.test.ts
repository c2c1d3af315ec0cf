import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  formatCpuList,
  parseCount,
  parseCpuList,
  parseDuration,
  parseSize,
} from '../../src/isolation/units.js';

describe('limit values as users write them', () => {
  it('reads sizes with binary units', () => {
    assert.deepEqual(parseSize('512M'), { ok: true, value: 512 * 1024 ** 2 });
    assert.deepEqual(parseSize('2G'), { ok: true, value: 2 * 1024 ** 3 });
    assert.deepEqual(parseSize('64KiB'), { ok: true, value: 64 * 1024 });
    assert.deepEqual(parseSize('1.5g'), { ok: true, value: 1.5 * 1024 ** 3 });
    assert.deepEqual(parseSize('65536'), { ok: true, value: 65536 });
  });

  it('refuses sizes that are not sizes, naming the flag', () => {
    const bad = parseSize('12x', '--max-memory');
    assert.equal(bad.ok, false);
    assert.match(bad.ok ? '' : bad.problem.message, /--max-memory '12x' is not a size/);
    assert.equal(parseSize('0').ok, false);
    assert.equal(parseSize('-5M').ok, false);
  });

  it('reads durations in ms, s, m, h and combinations', () => {
    assert.deepEqual(parseDuration('30s'), { ok: true, value: 30_000 });
    assert.deepEqual(parseDuration('5m'), { ok: true, value: 300_000 });
    assert.deepEqual(parseDuration('1h30m'), { ok: true, value: 5_400_000 });
    assert.deepEqual(parseDuration('250ms'), { ok: true, value: 250 });
    assert.deepEqual(parseDuration('10'), { ok: true, value: 10_000 });
  });

  it('refuses durations with junk or no length', () => {
    assert.equal(parseDuration('5 minutes').ok, false);
    assert.equal(parseDuration('').ok, false);
    assert.equal(parseDuration('0s').ok, false);
    assert.equal(parseDuration('1.2.3s').ok, false);
  });

  it('reads whole numbers within a range', () => {
    assert.deepEqual(parseCount('50', '--max-cpu', 1, 200), { ok: true, value: 50 });
    assert.equal(parseCount('0', '--max-processes').ok, false);
    assert.equal(parseCount('3.5', '--max-processes').ok, false);
    assert.equal(parseCount('300', '--max-cpu', 1, 200).ok, false);
  });

  it('reads cpuset lists and refuses CPUs the host lacks', () => {
    assert.deepEqual(parseCpuList('0-1', 2), { ok: true, value: [0, 1] });
    assert.deepEqual(parseCpuList('0,2,4-5', 8), { ok: true, value: [0, 2, 4, 5] });
    const beyond = parseCpuList('0-3', 2);
    assert.match(
      beyond.ok ? '' : beyond.problem.message,
      /CPU 2 does not exist: this host has CPUs 0-1/,
    );
    assert.equal(parseCpuList('3-1', 8).ok, false);
    assert.equal(parseCpuList('a', 8).ok, false);
  });

  it('writes CPU lists the way the kernel does', () => {
    assert.equal(formatCpuList([0, 1, 2, 5]), '0-2,5');
    assert.equal(formatCpuList([3]), '3');
    assert.equal(formatCpuList([0, 2, 4, 5, 6]), '0,2,4-6');
  });
});
