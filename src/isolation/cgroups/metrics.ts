/**
 * A job's resource use, read from its cgroups (v1 and v2): CPU time, memory now and at its peak,
 * block I/O read and written, and the number of processes. Whatever a cgroup does not offer (a
 * controller not mounted, an old kernel without memory.peak) is left out rather than guessed.
 */
import { monotonicMs } from '../../clock.js';
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

/**
 * One number read from a cgroup file: the sum of the numbers that follow each `token` where it
 * starts a line or follows a space (`=`: the whole file is one number). rnx reads them
 * (readJobMetrics) and so does rnx-sandbox, which owns a job's cgroups and reads them after the
 * job's end, before removing them (sandbox/cgroups.c, `--cgroup-read NAME FILE TOKEN`).
 */
export interface Reading {
  readonly name: ReadingName;
  readonly file: string;
  readonly token: string;
}

export const READING_NAMES = [
  'cpu-ns',
  'cpu-us',
  'mem',
  'peak',
  'rd',
  'wr',
  'procs',
  'oom',
] as const;
export type ReadingName = (typeof READING_NAMES)[number];

/** Per version: the controller, the file, its token; a later reading of a name wins. */
const READINGS: Record<'v1' | 'v2', readonly [ReadingName, string, string][]> = {
  v1: [
    ['cpu-ns', 'cpuacct.usage', '='],
    ['mem', 'memory.usage_in_bytes', '='],
    ['peak', 'memory.max_usage_in_bytes', '='],
    ['rd', 'blkio.throttle.io_service_bytes', 'Read '],
    ['wr', 'blkio.throttle.io_service_bytes', 'Write '],
    ['rd', 'blkio.throttle.io_service_bytes_recursive', 'Read '],
    ['wr', 'blkio.throttle.io_service_bytes_recursive', 'Write '],
    ['procs', 'pids.current', '='],
    ['oom', 'memory.oom_control', 'oom_kill '],
  ],
  v2: [
    ['cpu-us', 'cpu.stat', 'usage_usec '],
    ['mem', 'memory.current', '='],
    ['peak', 'memory.peak', '='],
    ['rd', 'io.stat', 'rbytes='],
    ['wr', 'io.stat', 'wbytes='],
    ['procs', 'pids.current', '='],
    ['oom', 'memory.events', 'oom_kill '],
  ],
};

/**
 * The readings of a job's cgroups, each in the directory of its file's controller (v1: a path
 * with a `memory` or `cpu,memory` part; v2: the job's one directory).
 */
export function usageReadings(cgroup: Pick<JobCgroup, 'version' | 'dirs'>): Reading[] {
  const readings: Reading[] = [];
  for (const [name, file, token] of READINGS[cgroup.version]) {
    const controller = file.split('.')[0] ?? '';
    const dir =
      cgroup.version === 'v2'
        ? cgroup.dirs[0]
        : cgroup.dirs.find((d) =>
            d.split('/').some((part) => part.split(',').includes(controller)),
          );
    if (dir !== undefined) readings.push({ name, file: join(dir, file), token });
  }
  return readings;
}

/** A reading of `text` (Reading says how); undefined when there is no number to read. */
export function readingOf(text: string, token: string): number | undefined {
  if (token === '=') {
    const value = Number.parseInt(text, 10);
    return Number.isFinite(value) ? value : undefined;
  }
  let sum: number | undefined;
  for (let at = text.indexOf(token); at !== -1; at = text.indexOf(token, at + token.length)) {
    if (at > 0 && text[at - 1] !== '\n' && text[at - 1] !== ' ') continue;
    const digits = /^-?\d+/.exec(text.slice(at + token.length, at + token.length + 24))?.[0];
    if (digits !== undefined) sum = (sum ?? 0) + Number(digits);
  }
  return sum;
}

export type Readings = Partial<Record<ReadingName, number>>;

/** Takes the readings now (what cannot be read is left out). */
export function takeReadings(readings: readonly Reading[]): Readings {
  const values: Readings = {};
  for (const { name, file, token } of readings) {
    const text = readIfAny(file);
    const value = text === undefined ? undefined : readingOf(text, token);
    if (value !== undefined) values[name] = value;
  }
  return values;
}

/** The job's metrics from its readings. */
export function metricsOf(values: Readings): JobMetrics {
  const cpuUsec =
    values['cpu-us'] ??
    (values['cpu-ns'] === undefined ? undefined : Math.round(values['cpu-ns'] / 1000));
  return clean({
    cpuUsec,
    memoryBytes: values.mem,
    memoryPeakBytes: values.peak,
    ioReadBytes: values.rd,
    ioWriteBytes: values.wr,
    processes: values.procs,
  });
}

export function readJobMetrics(cgroup: Pick<JobCgroup, 'version' | 'dirs'>): JobMetrics {
  return metricsOf(takeReadings(usageReadings(cgroup)));
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
  const start = monotonicMs();
  await new Promise((resolve) => setTimeout(resolve, intervalMs));
  const after = readJobMetrics(cgroup);
  const elapsedUsec = (monotonicMs() - start) * 1000;
  if (before.cpuUsec === undefined || after.cpuUsec === undefined) return after;
  const percent = ((after.cpuUsec - before.cpuUsec) / elapsedUsec) * 100;
  return { ...after, cpuPercent: Math.max(0, Math.round(percent * 10) / 10) };
}
