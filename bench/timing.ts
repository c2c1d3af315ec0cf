/** Shared timing helpers for benchmarks: repeated runs, medians, and A/B ratios from one run. */
import { execFileSync } from 'node:child_process';

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[mid] ?? 0)
    : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

/** Milliseconds taken by `fn`, measured `runs` times after one warm-up; returns every run. */
export async function timeRuns(runs: number, fn: () => unknown): Promise<number[]> {
  await fn();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    await fn();
    times.push(performance.now() - start);
  }
  return times;
}

/** Wall milliseconds of one run of a whole command (output discarded). */
export function timeCommand(command: string, args: readonly string[], cwd?: string): number {
  const start = performance.now();
  execFileSync(command, args, { stdio: 'ignore', cwd });
  return performance.now() - start;
}

/**
 * Runs A and B alternately `runs` times (after a warm-up of each) so machine drift hits both, and
 * returns their medians and the median of the pairwise ratios A/B.
 */
export async function compare(
  runs: number,
  a: () => unknown,
  b: () => unknown,
): Promise<{ a: number; b: number; ratio: number }> {
  const [ta = [], tb = []] = await alternate(runs, [a, b]);
  return { a: median(ta), b: median(tb), ratio: pairwiseRatio(ta, tb) };
}

export function fmt(ms: number): string {
  return ms >= 100 ? `${ms.toFixed(0)} ms` : `${ms.toFixed(2)} ms`;
}

/**
 * Runs every function in turn, `runs` times (after a warm-up of each), so that machine drift hits
 * all of them; returns each one's wall milliseconds per run.
 */
export async function alternate(
  runs: number,
  fns: readonly (() => unknown)[],
): Promise<number[][]> {
  for (const fn of fns) await fn();
  const times = fns.map((): number[] => []);
  for (let i = 0; i < runs; i++) {
    for (const [k, fn] of fns.entries()) {
      const start = performance.now();
      await fn();
      times[k]?.push(performance.now() - start);
    }
  }
  return times;
}

/** The median of the run-by-run ratios a/b (runs of `alternate`). */
export function pairwiseRatio(a: readonly number[], b: readonly number[]): number {
  return median(a.map((t, i) => t / (b[i] ?? t)));
}
