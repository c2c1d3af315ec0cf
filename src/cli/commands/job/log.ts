/**
 * `rnx job log ID [--follow]`: a job's output (stdout and stderr as they came, secrets masked).
 * --follow keeps printing new output until the job ends; it wakes on file changes (inotify) and on
 * the job's end (records/wait-end.ts), never on a timer.
 */
import { closeSync, existsSync, openSync, readSync, watch } from 'node:fs';
import { basename, dirname } from 'node:path';
import { sharedDatabase, stateDir, type Database } from '../../../state/database.js';
import { getJob } from '../../../isolation/records/job-store.js';
import { waitForJobEnd } from '../../../isolation/records/wait-end.js';
import { jobOrReport, oneRef } from '../../record-refs.js';
import type { CliContext, Command } from '../../context.js';
import { EXIT } from '../../context.js';
import { flagOption } from '../../args.js';

function copyFrom(ctx: CliContext, path: string, offset: number): number {
  if (!existsSync(path)) return offset;
  const fd = openSync(path, 'r');
  try {
    const buffer = Buffer.alloc(64 * 1024);
    for (;;) {
      const n = readSync(fd, buffer, 0, buffer.length, offset);
      if (n === 0) return offset;
      ctx.stdout.write(Buffer.from(buffer.subarray(0, n)));
      offset += n;
    }
  } finally {
    closeSync(fd);
  }
}

async function follow(
  ctx: CliContext,
  db: Database,
  dir: string,
  id: string,
  path: string,
): Promise<void> {
  let offset = copyFrom(ctx, path, 0);
  let wake: (() => void) | undefined;
  // The log's directory is watched, not the log: a job's log is made with its first output.
  const name = basename(path);
  const watcher = existsSync(dirname(path))
    ? watch(dirname(path), (_event, changed) => {
        if (changed === name) wake?.();
      })
    : undefined;
  const stopWaiting = new AbortController();
  const off = ctx.onSignal(() => stopWaiting.abort());
  // Woken by new output (inotify) and by the job's end itself, never by a timer.
  let ended = false;
  const end = waitForJobEnd(db, dir, id, stopWaiting.signal).then(() => {
    ended = true;
    wake?.();
  });
  try {
    while (!stopWaiting.signal.aborted) {
      offset = copyFrom(ctx, path, offset);
      if (ended || !(getJob(db, id)?.active ?? false)) break;
      await new Promise<void>((resolve) => {
        wake = resolve;
        stopWaiting.signal.addEventListener('abort', () => resolve(), { once: true });
      });
    }
    copyFrom(ctx, path, offset);
  } finally {
    off();
    watcher?.close();
    stopWaiting.abort();
    await end;
  }
}

export const command: Command = {
  path: 'job log',
  usage: 'rnx job log ID [--follow]',
  summary: "Print a job's output; --follow waits for more until the job ends",
  details: `Examples:
  rnx job log 3f2a9c1b7d40
  rnx job log web --follow`,
  options: {
    follow: { type: 'boolean', short: 'f', description: 'keep printing output until the job ends' },
  },
  async run(ctx, args) {
    const ref = oneRef(ctx, args.positionals, { message: 'rnx job log takes one job id or name' });
    if (ref === undefined) return EXIT.usage;
    const db = sharedDatabase(stateDir(ctx.env));
    const resolved = jobOrReport(ctx, db, ref);
    if ('exit' in resolved) return resolved.exit;
    const job = resolved.found;
    if (flagOption(args.options, 'follow'))
      await follow(ctx, db, stateDir(ctx.env), job.id, job.logPath);
    else copyFrom(ctx, job.logPath, 0);
    return EXIT.ok;
  },
};
