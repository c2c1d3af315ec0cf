/**
 * Parses the units of the workflow format: sizes (memory, I/O), durations and CPU lists.
 * Shapes are checked by the schema first; these return undefined for anything they cannot read.
 */

const SIZE = /^\s*(\d+(?:\.\d+)?)\s*(?:([kmgt])(?:i?b)?|b)?\s*$/i;
const POWERS: Record<string, number> = { k: 1, m: 2, g: 3, t: 4 };

export const MEGABYTE = 1024 * 1024;

/**
 * Bytes from a size. A bare number (or a string of digits) is in `plainUnit` bytes: megabytes for
 * memory (Joblet's `max_memory: 512`), bytes for I/O rates. Units K, M, G, T are powers of 1024;
 * KB/MB/KiB/MiB... are read the same way; B is bytes.
 */
export function parseSize(value: unknown, plainUnit: number): number | undefined {
  if (typeof value === 'number')
    return Number.isFinite(value) && value >= 0 ? Math.round(value * plainUnit) : undefined;
  if (typeof value !== 'string') return undefined;
  const m = SIZE.exec(value);
  if (m === null) return undefined;
  const amount = Number(m[1]);
  const unit = m[2]?.toLowerCase();
  const hasB = /b\s*$/i.test(value);
  const factor = unit !== undefined ? 1024 ** (POWERS[unit] ?? 0) : hasB ? 1 : plainUnit;
  return Math.round(amount * factor);
}

const PART = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/g;
const MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Milliseconds from a number of seconds or a duration such as `90s`, `5m`, `1h30m`, `500ms`. */
export function parseDuration(value: unknown): number | undefined {
  if (typeof value === 'number')
    return Number.isFinite(value) && value > 0 ? Math.round(value * 1000) : undefined;
  if (typeof value !== 'string' || !/^\s*(\d+(\.\d+)?(ms|s|m|h|d)\s*)+$/.test(value))
    return undefined;
  let total = 0;
  for (const m of value.matchAll(PART)) total += Number(m[1]) * (MS[m[2] ?? 's'] ?? 0);
  return total > 0 ? Math.round(total) : undefined;
}

/** A cpuset list (`0-1`, `0,2`) from a string or a single CPU number. */
export function parseCpuCores(value: unknown): string | undefined {
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0) return String(value);
  if (typeof value === 'string' && /^\d+(-\d+)?(,\d+(-\d+)?)*$/.test(value)) return value;
  return undefined;
}
