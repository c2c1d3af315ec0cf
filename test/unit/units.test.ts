import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  formatCpuList,
  MAX_DURATION_MS,
  MEGABYTE,
  parseCount,
  parseCpuList,
  parseDuration,
  parseIoLimit,
  parseMemoryLimit,
  parseSize,
} from '../../src/units.js';

const DAY = 86_400_000;

function value<T>(r: { ok: true; value: T } | { ok: false }): T | undefined {
  return r.ok ? r.value : undefined;
}
function code(r: { ok: true } | { ok: false; problem: { code: string } }): string {
  return r.ok ? 'ok' : r.problem.code;
}

describe('one set of units for files and flags', () => {
  it('reads durations: plain numbers are seconds, ms/s/m/h/d combine, as text or number', () => {
    assert.equal(value(parseDuration('30s')), 30_000);
    assert.equal(value(parseDuration('5m')), 300_000);
    assert.equal(value(parseDuration('1h30m')), 5_400_000);
    assert.equal(value(parseDuration('250ms')), 250);
    assert.equal(value(parseDuration('10')), 10_000);
    assert.equal(value(parseDuration(10)), 10_000);
    assert.equal(value(parseDuration(1.5)), 1500);
    assert.equal(value(parseDuration('25d')), 25 * DAY);
    assert.equal(value(parseDuration('600h')), 600 * 3_600_000);
    assert.equal(value(parseDuration('365d')), MAX_DURATION_MS);
  });

  it('refuses durations with junk, no length, or past 365 days, naming the field', () => {
    assert.equal(code(parseDuration('5 minutes')), 'invalid-duration');
    assert.equal(code(parseDuration('')), 'invalid-duration');
    assert.equal(code(parseDuration('1.2.3s')), 'invalid-duration');
    assert.equal(code(parseDuration('0s')), 'out-of-range');
    assert.equal(code(parseDuration(0)), 'out-of-range');
    assert.equal(code(parseDuration('366d', '--timeout')), 'out-of-range');
    assert.equal(code(parseDuration('1e400')), 'invalid-duration');
    assert.equal(code(parseDuration(Infinity)), 'out-of-range');
    const long = parseDuration('9999999999999999999999h', '--timeout');
    assert.match(long.ok ? '' : long.problem.message, /--timeout .* longer than 365 days/);
    assert.equal(value(parseDuration('0', '--grace', true)), 0);
  });

  it('reads sizes with binary units; a plain number is in the unit of the field', () => {
    assert.equal(value(parseSize('512M', 1)), 512 * MEGABYTE);
    assert.equal(value(parseSize('2G', 1)), 2 * 1024 ** 3);
    assert.equal(value(parseSize('64KiB', 1)), 64 * 1024);
    assert.equal(value(parseSize('1.5g', 1)), 1.5 * 1024 ** 3);
    assert.equal(value(parseSize('100B', MEGABYTE)), 100);
    assert.equal(value(parseMemoryLimit('512')), 512 * MEGABYTE);
    assert.equal(value(parseMemoryLimit(512)), 512 * MEGABYTE);
    assert.equal(value(parseIoLimit('65536')), 65536);
    assert.equal(value(parseIoLimit(65536)), 65536);
  });

  it('reads 0 as no limit, refuses memory under 4M, junk and overflow', () => {
    assert.equal(value(parseMemoryLimit('0')), 0);
    assert.equal(value(parseIoLimit(0)), 0);
    assert.equal(code(parseMemoryLimit('2M')), 'out-of-range');
    assert.equal(code(parseMemoryLimit(1)), 'out-of-range');
    const bad = parseMemoryLimit('12x', '--max-memory');
    assert.match(bad.ok ? '' : bad.problem.message, /--max-memory '12x' is not a size/);
    assert.equal(code(parseSize('-5M', 1)), 'invalid-size');
    assert.equal(code(parseSize('99999999999T', 1)), 'out-of-range');
    assert.equal(code(parseSize(Number.NaN, 1)), 'invalid-size');
  });

  it('reads whole numbers within a range', () => {
    assert.deepEqual(parseCount('50', '--max-cpu', 1, 200), { ok: true, value: 50 });
    assert.equal(parseCount('0', '--max-processes').ok, false);
    assert.equal(parseCount('0', '--max-processes', 0).ok, true);
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
    assert.equal(parseCpuList('0-99999', 2).ok, false);
    assert.equal(parseCpuList('3-1', 8).ok, false);
    assert.equal(parseCpuList('a', 8).ok, false);
  });

  it('writes CPU lists the way the kernel does', () => {
    assert.equal(formatCpuList([0, 1, 2, 5]), '0-2,5');
    assert.equal(formatCpuList([3]), '3');
    assert.equal(formatCpuList([0, 2, 4, 5, 6]), '0,2,4-6');
  });
});
