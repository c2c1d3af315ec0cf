/**
 * The units of rnx, one set of rules for workflow files and command-line flags alike:
 *
 * - Durations: a plain number is seconds; units `ms`, `s`, `m`, `h`, `d`, combinable (`1h30m`);
 *   longer than zero and at most MAX_DURATION (365 days).
 * - Sizes: units B, K, M, G, T (powers of 1024; KB/KiB... read the same way). A plain number is
 *   megabytes for memory (Joblet's `max_memory: 512`) and bytes per second for I/O.
 * - Limits (memory, I/O, CPU percent, processes): `0` means no limit; memory is at least 4M.
 * - CPU lists: `0-1`, `0,2`, `0-3,6`.
 *
 * Pure functions returning a Result whose message names the field or flag (`what`).
 */
import { fail, ok, type Result } from './problem.js';

export const MEGABYTE = 1024 * 1024;
export const MAX_DURATION_MS = 365 * 86_400_000;
/** The smallest memory limit a job can start under (its init and tools need about that). */
export const MIN_MEMORY = 4 * MEGABYTE;

const DURATION_MS: Readonly<Record<string, number>> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};
const DURATION = /^(?:\d+(?:\.\d+)?(?:ms|s|m|h|d)\s*)+$/;
const DURATION_PART = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/g;
const PLAIN_NUMBER = /^\d+(?:\.\d+)?$/;

/**
 * Milliseconds from a duration: `30s`, `5m`, `1h30m`, `250ms`, `2d`, or a number of seconds
 * (`10`, `1.5`). `allowZero` admits `0` (a grace period of none).
 */
export function parseDuration(
  value: string | number,
  what = 'duration',
  allowZero = false,
): Result<number> {
  const text = String(value).trim();
  let ms: number;
  if (typeof value === 'number' || PLAIN_NUMBER.test(text)) {
    ms = Number(text) * 1000;
  } else if (DURATION.test(text)) {
    ms = 0;
    for (const m of text.matchAll(DURATION_PART))
      ms += Number(m[1]) * (DURATION_MS[m[2] ?? ''] ?? 0);
  } else {
    return fail(
      'invalid-duration',
      `${what} '${String(value)}' is not a duration`,
      'write e.g. 30s, 5m, 1h30m, 2d, 250ms, or a number of seconds',
    );
  }
  ms = Math.round(ms);
  if (!Number.isFinite(ms) || ms > MAX_DURATION_MS) {
    return fail('out-of-range', `${what} '${String(value)}' is longer than 365 days`);
  }
  if (ms < 0 || (ms === 0 && !allowZero)) {
    return fail('out-of-range', `${what} '${String(value)}' must be longer than zero`);
  }
  return ok(ms);
}

const SIZE = /^(\d+(?:\.\d+)?)\s*(?:([kmgt])(?:i?b)?|(b))?$/i;
const POWERS: Readonly<Record<string, number>> = { k: 1, m: 2, g: 3, t: 4 };

/** Bytes from a size; a plain number is in `plainUnit` bytes. `0` is 0. */
export function parseSize(
  value: string | number,
  plainUnit: number,
  what = 'size',
): Result<number> {
  const m = SIZE.exec(String(value).trim());
  if (m === null || (typeof value === 'number' && !Number.isFinite(value))) {
    return fail(
      'invalid-size',
      `${what} '${String(value)}' is not a size`,
      'write a number with an optional unit: 512M, 2G, 65536',
    );
  }
  const unit = m[2]?.toLowerCase();
  const factor =
    unit !== undefined ? 1024 ** (POWERS[unit] ?? 0) : m[3] !== undefined ? 1 : plainUnit;
  const bytes = Math.round(Number(m[1]) * factor);
  if (!Number.isSafeInteger(bytes)) {
    return fail('out-of-range', `${what} '${String(value)}' is too large`);
  }
  return ok(bytes);
}

/** A memory limit in bytes: plain numbers are megabytes, 0 is no limit, else at least 4M. */
export function parseMemoryLimit(value: string | number, what = 'memory limit'): Result<number> {
  const bytes = parseSize(value, MEGABYTE, what);
  if (bytes.ok && bytes.value > 0 && bytes.value < MIN_MEMORY) {
    return fail(
      'out-of-range',
      `${what} '${String(value)}' is too small: at least 4M (or 0 for no limit)`,
    );
  }
  return bytes;
}

/** An I/O limit in bytes per second: plain numbers are bytes, 0 is no limit. */
export function parseIoLimit(value: string | number, what = 'I/O limit'): Result<number> {
  return parseSize(value, 1, what);
}

/** A whole number within [min, max]. */
export function parseCount(
  value: string | number,
  what: string,
  min = 1,
  max = 2 ** 31 - 1,
): Result<number> {
  const text = String(value).trim();
  if (!/^\d+$/.test(text)) return fail('invalid-number', `${what} '${text}' is not a whole number`);
  const n = Number(text);
  if (n < min || n > max) {
    return fail('out-of-range', `${what} ${text} is out of range (${String(min)}..${String(max)})`);
  }
  return ok(n);
}

/** A cpuset list (`0-1`, `0,2`, `0-3,6`) → the sorted CPU numbers; each must be below `cpuCount`. */
export function parseCpuList(text: string, cpuCount: number, what = 'CPU list'): Result<number[]> {
  const cpus = new Set<number>();
  for (const item of text.trim().split(',')) {
    const range = /^(\d{1,5})(?:-(\d{1,5}))?$/.exec(item.trim());
    if (range === null) {
      return fail(
        'invalid-cpu-set',
        `${what} '${text}' is not valid`,
        'write CPU numbers and ranges: 0-1, 0,2',
      );
    }
    const first = Number(range[1]);
    const last = range[2] === undefined ? first : Number(range[2]);
    if (last < first) return fail('invalid-cpu-set', `CPU range '${item}' runs backwards`);
    for (let cpu = first; cpu <= last && cpu < cpuCount; cpu++) cpus.add(cpu);
    if (last >= cpuCount) {
      return fail(
        'invalid-cpu-set',
        `CPU ${String(Math.max(first, cpuCount))} does not exist: this host has CPUs 0-${String(cpuCount - 1)}`,
      );
    }
  }
  return ok([...cpus].sort((a, b) => a - b));
}

/** The kernel's cpuset syntax for a list of CPUs: [0,1,2,5] → `0-2,5`. */
export function formatCpuList(cpus: readonly number[]): string {
  const parts: string[] = [];
  let start: number | undefined;
  let prev: number | undefined;
  for (const cpu of [...cpus, Number.NaN]) {
    if (prev !== undefined && cpu === prev + 1) {
      prev = cpu;
      continue;
    }
    if (start !== undefined && prev !== undefined) {
      parts.push(start === prev ? String(start) : `${String(start)}-${String(prev)}`);
    }
    start = cpu;
    prev = cpu;
  }
  return parts.join(',');
}

/** Bytes for people: `512B`, `1.5K`, `20.0M`, `1.2G` (powers of 1024, as sizes are written). */
export function formatBytes(bytes: number): string {
  const units = ['B', 'K', 'M', 'G', 'T'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${String(bytes)}B` : `${value.toFixed(1)}${units[unit] ?? ''}`;
}
