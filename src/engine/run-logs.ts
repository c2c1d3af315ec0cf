/**
 * A workflow run's output, job by job, for `rnx workflow logs RUN [--follow]`: every attempt's log
 * (the jobs' own log files, secrets already masked), line by line with the job's name, as the live
 * view shows it. Without --follow, each job's output in the workflow's order. With --follow, new
 * lines of every job as they are written, woken by the files changing (inotify on the logs folder)
 * and by the run's end, never by a timer, until the run has ended and everything is printed.
 */
import { closeSync, openSync, readSync, watch } from 'node:fs';
import { dirname } from 'node:path';
import type { Database } from '../state/database.js';
import { findRun, reconcileRuns, runAttemptJobIds, runJobs } from './records.js';
import type { RunControlPorts } from './run-control.js';

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
  offset: number;
  partial: string;
}

function readNew(tail: Tail): string[] {
  let fd: number;
  try {
    fd = openSync(tail.path, 'r');
  } catch {
    return [];
  }
  const chunks: Buffer[] = [];
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
  const text = tail.partial + Buffer.concat(chunks).toString('utf8');
  const lines = text.split('\n');
  tail.partial = lines.pop() ?? '';
  return lines;
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
  const drain = (): void => {
    for (const jobId of runAttemptJobIds(db, run.id)) {
      let tail = tails.get(jobId);
      if (tail === undefined) {
        const job = String(nameOf.get(jobId)?.['name'] ?? jobId);
        tail = { job, path: options.logPathOf(jobId), offset: 0, partial: '' };
        tails.set(jobId, tail);
      }
      for (const line of readNew(tail)) options.onLine(tail.job, width, line);
    }
  };
  const flush = (): void => {
    for (const tail of tails.values()) {
      if (tail.partial !== '') options.onLine(tail.job, width, tail.partial);
      tail.partial = '';
    }
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
