/**
 * Parsers for the values of job limits as users write them (`512M`, `30s`, `0-1`). Pure functions
 * returning a Result, shared by `rnx job run` flags and anything else that reads limits.
 */
import { fail, ok, type Result } from '../problem.js';

const SIZE_UNITS: Readonly<Record<string, number>> = {
  '': 1,
  b: 1,
  k: 1024,
  m: 1024 ** 2,
  g: 1024 ** 3,
  t: 1024 ** 4,
};

/** `512M`, `2G`, `1.5g`, `1048576`, `64KiB` → bytes (binary units). */
export function parseSize(text: string, what = 'size'): Result<number> {
  const match = /^(\d+(?:\.\d+)?)\s*([bkmgt]?)(?:i?b)?$/i.exec(text.trim());
  const unit = SIZE_UNITS[(match?.[2] ?? '').toLowerCase()];
  if (match === null || unit === undefined) {
    return fail(
      'invalid-size',
      `${what} '${text}' is not a size`,
      'write a number with an optional unit: 512M, 2G, 65536',
    );
  }
  const bytes = Math.floor(Number(match[1]) * unit);
  if (!Number.isSafeInteger(bytes) || bytes <= 0) {
    return fail('invalid-size', `${what} '${text}' must be a positive size`);
  }
  return ok(bytes);
}

const DURATION_UNITS: Readonly<Record<string, number>> = {
  ms: 1,
  '': 1000,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

/** `30s`, `5m`, `1h`, `250ms`, `10` (seconds), `1m30s` → milliseconds. */
export function parseDuration(text: string, what = 'duration'): Result<number> {
  const trimmed = text.trim();
  const part = /(\d+(?:\.\d+)?)(ms|h|m|s|)/gy;
  let total = 0;
  let consumed = 0;
  for (
    let match = part.exec(trimmed);
    match !== null && match[0] !== '';
    match = part.exec(trimmed)
  ) {
    total += Number(match[1]) * (DURATION_UNITS[match[2] ?? ''] ?? 1000);
    consumed = part.lastIndex;
  }
  if (trimmed === '' || consumed !== trimmed.length) {
    return fail(
      'invalid-duration',
      `${what} '${text}' is not a duration`,
      'write e.g. 30s, 5m, 1h30m or 250ms',
    );
  }
  if (total <= 0) return fail('invalid-duration', `${what} '${text}' must be longer than zero`);
  return ok(Math.round(total));
}

/** A positive whole number within [min, max]. */
export function parseCount(text: string, what: string, min = 1, max = 2 ** 31 - 1): Result<number> {
  if (!/^\d+$/.test(text.trim()))
    return fail('invalid-number', `${what} '${text}' is not a whole number`);
  const value = Number(text.trim());
  if (value < min || value > max) {
    return fail(
      'invalid-number',
      `${what} ${text} is out of range (${String(min)}..${String(max)})`,
    );
  }
  return ok(value);
}

/** A cpuset list (`0-1`, `0,2`, `0-3,6`) → the sorted CPU numbers; each must be below `cpuCount`. */
export function parseCpuList(text: string, cpuCount: number): Result<number[]> {
  const cpus = new Set<number>();
  for (const item of text.trim().split(',')) {
    const range = /^(\d+)(?:-(\d+))?$/.exec(item.trim());
    if (range === null) {
      return fail(
        'invalid-cpu-set',
        `CPU list '${text}' is not valid`,
        'write CPU numbers and ranges: 0-1, 0,2',
      );
    }
    const first = Number(range[1]);
    const last = range[2] === undefined ? first : Number(range[2]);
    if (last < first) return fail('invalid-cpu-set', `CPU range '${item}' runs backwards`);
    for (let cpu = first; cpu <= last; cpu++) cpus.add(cpu);
  }
  const beyond = [...cpus].filter((cpu) => cpu >= cpuCount);
  if (beyond.length > 0) {
    return fail(
      'invalid-cpu-set',
      `CPU ${String(beyond[0])} does not exist: this host has CPUs 0-${String(cpuCount - 1)}`,
    );
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
