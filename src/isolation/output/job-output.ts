/**
 * A job's output on its way out: secret values masked, appended to the job's log file (stdout and
 * stderr interleaved as they came, with when each part came in its times file: log-times.ts),
 * then handed to the caller's callbacks.
 *
 * The log file is made with the job's first output, off rnx's thread: a job that prints nothing
 * has none (readers take a missing log for an empty one). A new inode costs a busy ext4 disk
 * about 0.5 ms, and even opened by Node's thread pool it took rnx's thread 0.12 to 0.17 ms a job
 * on this 2-core machine (the woken pool thread runs where rnx's does): 36 to 51 ms of a 300-job
 * workflow of `true` jobs. Output that comes before the log is open waits, in order, and is
 * written then; a log still opening at the close is opened there.
 *
 * When the log cannot be written (its file system is full, or would keep less than LOG_RESERVE
 * free, which the state database needs to record the job's end), the log stops there: the job
 * runs on, its output still reaches the callbacks, and `logStopped` says why (once, through
 * `onLogStopped`).
 */
import {
  closeSync,
  fstatSync,
  mkdirSync,
  open as openCallback,
  openSync,
  statfsSync,
  writeSync,
} from 'node:fs';
import { dirname } from 'node:path';
import { LogTimesWriter } from './log-times.js';
import { Redactor } from './redact.js';

/** Free space a job's log leaves on its file system, for the records of the job's end. */
export const LOG_RESERVE = 1024 * 1024;
/** Free space is looked at again after this many bytes of log. */
const CHECK_EVERY = 256 * 1024;

export class JobOutput {
  /** The log's fd, once open. */
  private log: number | undefined;
  /** The open asked for with the first output has not come back (nor been done by `close`). */
  private opening = false;
  /** Output that came before the log was open. */
  private pending: Buffer[] = [];
  private readonly logPath: string;
  private readonly times: LogTimesWriter;
  /** Bytes in the log (where the next chunk goes). */
  private size = 0;
  private open = true;
  private readonly out: Redactor;
  private readonly err: Redactor;
  private readonly onStdout: ((chunk: Buffer) => void) | undefined;
  private readonly onStderr: ((chunk: Buffer) => void) | undefined;
  private readonly onLogStopped: ((why: string) => void) | undefined;
  private readonly logDir: string;
  /** Bytes the log may still take before free space is looked at again. */
  private budget = 0;
  /** Why the log stopped, once it did. */
  logStopped: string | undefined;

  constructor(
    logPath: string,
    secrets: readonly string[],
    hooks: {
      onStdout?: (chunk: Buffer) => void;
      onStderr?: (chunk: Buffer) => void;
      onLogStopped?: (why: string) => void;
    },
  ) {
    this.logPath = logPath;
    this.logDir = dirname(logPath);
    mkdirSync(this.logDir, { recursive: true, mode: 0o700 });
    this.times = new LogTimesWriter(logPath);
    this.out = new Redactor(secrets);
    this.err = new Redactor(secrets);
    this.onStdout = hooks.onStdout;
    this.onStderr = hooks.onStderr;
    this.onLogStopped = hooks.onLogStopped;
  }

  stdout(chunk: Buffer): void {
    this.emit(this.out.push(chunk), this.onStdout);
  }

  stderr(chunk: Buffer): void {
    this.emit(this.err.push(chunk), this.onStderr);
  }

  /** Releases what the redactors held back and closes the log; later output is dropped. */
  close(): void {
    if (!this.open) return;
    this.emit(this.out.flush(), this.onStdout);
    this.emit(this.err.flush(), this.onStderr);
    if (this.opening) {
      this.opening = false;
      try {
        this.attach(openSync(this.logPath, 'a', 0o600));
      } catch (error) {
        this.failed(error as NodeJS.ErrnoException);
      }
    }
    if (this.log !== undefined) closeSync(this.log);
    this.times.close();
    this.open = false;
  }

  private opened(error: NodeJS.ErrnoException | null, fd: number): void {
    if (!this.opening) {
      // Opened by close() meanwhile: this one is not needed.
      if (error === null) closeSync(fd);
      return;
    }
    this.opening = false;
    if (error === null) this.attach(fd);
    else this.failed(error);
  }

  /** The log is open: what waited for it is written now. */
  private attach(fd: number): void {
    this.log = fd;
    this.size = fstatSync(fd).size;
    const waited = this.pending;
    this.pending = [];
    for (const chunk of waited) this.append(chunk);
  }

  private emit(chunk: Buffer, to: ((chunk: Buffer) => void) | undefined): void {
    if (chunk.length === 0 || !this.open) return;
    if (this.logStopped === undefined) this.append(chunk);
    to?.(chunk);
  }

  private append(chunk: Buffer): void {
    if (this.log === undefined) {
      this.pending.push(chunk);
      if (!this.opening) {
        // The first output: the log is made now.
        this.opening = true;
        openCallback(this.logPath, 'a', 0o600, (error, fd) => this.opened(error, fd));
      }
      return;
    }
    try {
      if (chunk.length > this.budget) {
        const { bavail, bsize } = statfsSync(this.logDir);
        const room = bavail * bsize - LOG_RESERVE;
        if (room < chunk.length) {
          this.stop('the state directory is full: 1 MiB is kept free for the records');
          return;
        }
        this.budget = Math.min(room, CHECK_EVERY + chunk.length);
      }
      this.times.mark(this.size);
      writeSync(this.log, chunk);
      this.size += chunk.length;
      this.budget -= chunk.length;
    } catch (error) {
      this.failed(error as NodeJS.ErrnoException);
    }
  }

  private failed(e: NodeJS.ErrnoException): void {
    this.pending = [];
    this.stop(e.code === 'ENOSPC' ? 'the state directory is full' : `${e.code ?? ''} ${e.message}`);
  }

  private stop(why: string): void {
    this.logStopped = why;
    this.onLogStopped?.(why);
  }
}
