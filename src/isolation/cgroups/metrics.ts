/**
 * A job's resource use, read from its cgroups (v1 and v2): CPU time, memory now and at its peak,
 * block I/O read and written, and the number of processes. Whatever a cgroup does not offer (a
 * controller not mounted, an old kernel without memory.peak) is left out rather than guessed.
 */
import { readIfAny } from '../../read-if-any.js';
import { join } from 'node:path';
import type { JobCgroup } from './job-cgroup.js';

export interface JobMetrics {
  /** CPU time used, user + system, in microseconds. */
  readonly cpuUsec?: number;
  readonly memoryBytes?: number;
  readonly memoryPeakBytes?: number;
  readonly ioReadBytes?: number;
  readonly ioWriteBytes?: number;
  readonly processes?: number;
}

function number(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text.trim());
  return Number.isFinite(value) ? value : undefined;
}

/**
 * The first of `dirs` where `file` can be read; first the v1 directories of the file's controller
 * (`memory.usage_in_bytes` in a path with a `memory` or `cpu,memory` part), so that a file is not
 * looked for in every hierarchy (each miss is a failed open).
 */
function first(dirs: readonly string[], file: string): string | undefined {
  const controller = file.split('.')[0] ?? '';
  const own = (dir: string): boolean =>
    dir.split('/').some((part) => part.split(',').includes(controller));
  for (const dir of [...dirs.filter(own), ...dirs.filter((d) => !own(d))]) {
    const text = readIfAny(join(dir, file));
    if (text !== undefined) return text;
  }
  return undefined;
}

/** Sums `key VALUE` pairs of io.stat (v2) lines: `8:0 rbytes=1 wbytes=2 ...`. */
export function ioStatBytes(text: string): { read: number; written: number } {
  let read = 0;
  let written = 0;
  for (const match of text.matchAll(/\b(rbytes|wbytes)=(\d+)/g)) {
    if (match[1] === 'rbytes') read += Number(match[2]);
    else written += Number(match[2]);
  }
  return { read, written };
}

/** Sums blkio `MAJ:MIN Read N` / `Write N` lines (v1). */
export function blkioBytes(text: string): { read: number; written: number } {
  let read = 0;
  let written = 0;
  for (const match of text.matchAll(/^\d+:\d+ (Read|Write) (\d+)$/gm)) {
    if (match[1] === 'Read') read += Number(match[2]);
    else written += Number(match[2]);
  }
  return { read, written };
}

export function readJobMetrics(cgroup: JobCgroup): JobMetrics {
  const dirs = cgroup.dirs;
  const processes = number(first(dirs, 'pids.current'));
  if (cgroup.version === 'v2') {
    const usage = /^usage_usec (\d+)$/m.exec(first(dirs, 'cpu.stat') ?? '')?.[1];
    const io = first(dirs, 'io.stat');
    const bytes = io === undefined ? undefined : ioStatBytes(io);
    return clean({
      cpuUsec: number(usage),
      memoryBytes: number(first(dirs, 'memory.current')),
      memoryPeakBytes: number(first(dirs, 'memory.peak')),
      ioReadBytes: bytes?.read,
      ioWriteBytes: bytes?.written,
      processes,
    });
  }
  const nanos = number(first(dirs, 'cpuacct.usage'));
  const blkio =
    first(dirs, 'blkio.throttle.io_service_bytes_recursive') ??
    first(dirs, 'blkio.throttle.io_service_bytes');
  const bytes = blkio === undefined ? undefined : blkioBytes(blkio);
  return clean({
    cpuUsec: nanos === undefined ? undefined : Math.round(nanos / 1000),
    memoryBytes: number(first(dirs, 'memory.usage_in_bytes')),
    memoryPeakBytes: number(first(dirs, 'memory.max_usage_in_bytes')),
    ioReadBytes: bytes?.read,
    ioWriteBytes: bytes?.written,
    processes,
  });
}

function clean(metrics: { [K in keyof JobMetrics]: number | undefined }): JobMetrics {
  return Object.fromEntries(Object.entries(metrics).filter(([, v]) => v !== undefined));
}

export interface MeasuredMetrics extends JobMetrics {
  /** CPU use over the measuring interval, in percent of one core. */
  readonly cpuPercent?: number;
}

/** Two readings `intervalMs` apart: the second, with the CPU use between them. */
export async function measureJobMetrics(
  cgroup: JobCgroup,
  intervalMs: number,
): Promise<MeasuredMetrics> {
  const before = readJobMetrics(cgroup);
  const start = performance.now();
  await new Promise((resolve) => setTimeout(resolve, intervalMs));
  const after = readJobMetrics(cgroup);
  const elapsedUsec = (performance.now() - start) * 1000;
  if (before.cpuUsec === undefined || after.cpuUsec === undefined) return after;
  const percent = ((after.cpuUsec - before.cpuUsec) / elapsedUsec) * 100;
  return { ...after, cpuPercent: Math.max(0, Math.round(percent * 10) / 10) };
}
