/**
 * When each part of a job's log was written, so that the logs of several jobs can be read back
 * interleaved in time (`rnx workflow logs RUN`). Beside the log `ID.log`, a file `ID.times` gets a
 * line `OFFSET MILLISECONDS` (byte offset in the log, Unix time in ms to the microsecond) as each
 * chunk is appended: one small append per chunk (rnx writes a chunk as it reads it from the job's
 * pipe). The time of a byte is that of the last mark at or before its offset.
 */
import { unixMs } from '../../clock.js';
import { closeSync, openSync, readSync, writeSync } from 'node:fs';

export function timesPathOf(logPath: string): string {
  return logPath.replace(/\.log$/, '') + '.times';
}

/**
 * Appends marks as the log grows; never throws (a log without times reads job by job). The file
 * is made with the first mark: a job that prints nothing has none (one file fewer to make).
 */
export class LogTimesWriter {
  private fd: number | undefined;
  /** Where the marks go; undefined once closed or failed. */
  private path: string | undefined;

  constructor(logPath: string) {
    this.path = timesPathOf(logPath);
  }

  /** `offset`: where the chunk about to be appended starts in the log. */
  mark(offset: number, ms = unixMs()): void {
    if (this.path === undefined) return;
    try {
      this.fd ??= openSync(this.path, 'a', 0o600);
      writeSync(this.fd, `${String(offset)} ${ms.toFixed(3)}\n`);
    } catch {
      this.close();
    }
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
    this.path = undefined;
  }
}

export interface Mark {
  readonly offset: number;
  readonly ms: number;
}

/** Reads the marks appended since the last call (whole lines only). */
export class LogTimesReader {
  private readonly path: string;
  private position = 0;
  private partial = '';
  readonly marks: Mark[] = [];

  constructor(logPath: string) {
    this.path = timesPathOf(logPath);
  }

  update(): void {
    let fd: number;
    try {
      fd = openSync(this.path, 'r');
    } catch {
      return;
    }
    try {
      const buffer = Buffer.alloc(16 * 1024);
      for (;;) {
        const n = readSync(fd, buffer, 0, buffer.length, this.position);
        if (n === 0) break;
        this.position += n;
        this.partial += buffer.toString('latin1', 0, n);
      }
    } finally {
      closeSync(fd);
    }
    const lines = this.partial.split('\n');
    this.partial = lines.pop() ?? '';
    for (const line of lines) {
      const [offset, ms] = line.split(' ').map(Number);
      if (offset !== undefined && ms !== undefined && Number.isFinite(offset + ms)) {
        this.marks.push({ offset, ms });
      }
    }
  }

  /** The time of the byte at `offset`: the last mark at or before it (undefined: none). */
  timeAt(offset: number): number | undefined {
    let low = 0;
    let high = this.marks.length - 1;
    let found: number | undefined;
    while (low <= high) {
      const mid = (low + high) >> 1;
      const mark = this.marks[mid];
      if (mark === undefined) break;
      if (mark.offset <= offset) {
        found = mark.ms;
        low = mid + 1;
      } else {
        high = mid - 1;
      }
    }
    return found;
  }
}
