/**
 * A workflow run's output for `rnx workflow logs RUN [--follow]`: every attempt's log (the jobs'
 * own log files, secrets already masked), line by line with the job's name, as the live view shows
 * it, the lines of all jobs in the order they were written (each log's times file says when: see
 * isolation/output/log-times.ts; equal times keep the workflow's order). With --follow, new
 * lines of every job as they are written, woken by the files changing (inotify on the logs folder)
 * and by the run's end, never by a timer, until the run has ended and everything is printed.
 */
import { closeSync, openSync, readSync, watch } from 'node:fs';
import { dirname } from 'node:path';
import type { Database } from '../state/database.js';
import { findRun, reconcileRuns, runAttemptJobIds, runJobs } from './records.js';
import type { RunControlPorts } from './run-control.js';
import { LogTimesReader } from '../isolation/output/log-times.js';

export interface RunLogOptions {
  readonly follow: boolean;
  readonly ports: RunControlPorts;
  /** Where a job's log is. */
  logPathOf(jobId: string): string;
  /** One whole line of a job (without its newline); `width` is the longest job name's length. */
  onLine(job: string, width: number, line: string): void;
  readonly abort?: AbortSignal;
}

interface Tail {
  readonly job: string;
  readonly path: string;
  readonly times: LogTimesReader;
  offset: number;
  /** Bytes of the line not ended yet, and where they start in the log. */
  partial: Buffer;
  partialStart: number;
  /** The time of the last line read (a log without times keeps its order). */
  lastMs: number;
}

interface Line {
  readonly job: string;
  readonly ms: number;
  readonly text: string;
}

function readNew(tail: Tail): Line[] {
  let fd: number;
  try {
    fd = openSync(tail.path, 'r');
  } catch {
    return [];
  }
  const chunks: Buffer[] = [tail.partial];
  try {
    const buffer = Buffer.alloc(64 * 1024);
    for (;;) {
      const n = readSync(fd, buffer, 0, buffer.length, tail.offset);
      if (n === 0) break;
      chunks.push(Buffer.from(buffer.subarray(0, n)));
      tail.offset += n;
    }
  } finally {
    closeSync(fd);
  }
  // Marks are written before their bytes: read after the log, they cover all of it.
  tail.times.update();
  const bytes = Buffer.concat(chunks);
  const lines: Line[] = [];
  let start = 0;
  for (let nl = bytes.indexOf(10); nl !== -1; nl = bytes.indexOf(10, start)) {
    lines.push(lineAt(tail, bytes.subarray(start, nl), tail.partialStart + start));
    start = nl + 1;
  }
  tail.partial = Buffer.from(bytes.subarray(start));
  tail.partialStart += start;
  return lines;
}

function lineAt(tail: Tail, bytes: Buffer, offset: number): Line {
  const ms = tail.times.timeAt(offset) ?? tail.lastMs;
  tail.lastMs = ms;
  return { job: tail.job, ms, text: bytes.toString('utf8') };
}

/**
 * Lines of several jobs in the order they were written; equal times keep the order given (each
 * job's own order, and the jobs' order in the run).
 */
function inTimeOrder(lines: Line[]): Line[] {
  return lines
    .map((line, index) => ({ line, index }))
    .sort((a, b) => a.line.ms - b.line.ms || a.index - b.index)
    .map(({ line }) => line);
}

export async function readRunLogs(
  db: Database,
  runId: string,
  options: RunLogOptions,
): Promise<'done' | 'not-found'> {
  const run = findRun(db, runId);
  if (run === undefined) return 'not-found';
  const width = Math.max(0, ...runJobs(db, run.id).map((j) => j.name.length));
  const tails = new Map<string, Tail>();
  const nameOf = db.prepare('SELECT name FROM workflow_attempts WHERE job_id = ?');
  const emit = (lines: Line[]): void => {
    for (const line of inTimeOrder(lines)) options.onLine(line.job, width, line.text);
  };
  const drain = (): void => {
    const lines: Line[] = [];
    for (const jobId of runAttemptJobIds(db, run.id)) {
      let tail = tails.get(jobId);
      if (tail === undefined) {
        const job = String(nameOf.get(jobId)?.['name'] ?? jobId);
        const path = options.logPathOf(jobId);
        tail = {
          job,
          path,
          times: new LogTimesReader(path),
          offset: 0,
          partial: Buffer.alloc(0),
          partialStart: 0,
          lastMs: 0,
        };
        tails.set(jobId, tail);
      }
      lines.push(...readNew(tail));
    }
    emit(lines);
  };
  const flush = (): void => {
    const lines: Line[] = [];
    for (const tail of tails.values()) {
      if (tail.partial.length > 0) lines.push(lineAt(tail, tail.partial, tail.partialStart));
      tail.partial = Buffer.alloc(0);
    }
    emit(lines);
  };
  if (!options.follow || run.status !== 'RUNNING') {
    drain();
    flush();
    return 'done';
  }
  let wake: (() => void) | undefined;
  const watcher = watch(dirname(options.logPathOf('x')), () => wake?.());
  try {
    // Nobody holds the end for a moment (a run being recorded): look again a little later.
    const nextEnd = (): Promise<unknown> =>
      options.ports
        .nextEnd(run.id, options.abort)
        .then((r) => (r === 'none' ? new Promise((ok) => setTimeout(ok, 20)) : undefined));
    let end = nextEnd();
    let ended = false;
    void end.then(() => (ended = true));
    while (options.abort?.aborted !== true) {
      drain();
      if (ended) {
        reconcileRuns(db, options.ports.isAlive);
        if (findRun(db, run.id)?.status !== 'RUNNING') break;
        ended = false;
        end = nextEnd();
        void end.then(() => (ended = true));
      }
      await new Promise<void>((resolve) => {
        wake = resolve;
        void end.then(() => resolve());
        options.abort?.addEventListener('abort', () => resolve(), { once: true });
      });
    }
    drain();
    flush();
    return 'done';
  } finally {
    watcher.close();
  }
}
