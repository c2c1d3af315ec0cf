/**
 * Time for measuring intervals and stamping events, without the `performance` global: its first
 * use loads Node's perf_hooks modules (about 1.5 ms and 64 page faults of a `rnx job run` here,
 * measured alone), where `process.hrtime` is already loaded.
 */

/** Milliseconds on a monotonic clock (for intervals: it never goes back). */
export function monotonicMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

let unixOffset: number | undefined;

/**
 * Unix time in milliseconds, to the microsecond between two calls of one process (the start is
 * read once from the wall clock, to the millisecond; the rest is monotonic, as
 * `performance.timeOrigin + performance.now()`).
 */
export function unixMs(): number {
  unixOffset ??= Date.now() - monotonicMs();
  return unixOffset + monotonicMs();
}
