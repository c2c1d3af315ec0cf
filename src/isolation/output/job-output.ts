/**
 * A job's output on its way out: secret values masked, appended to the job's log file (stdout and
 * stderr interleaved as they came), then handed to the caller's callbacks.
 */
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { Redactor } from './redact.js';

export class JobOutput {
  private readonly log: number;
  private open = true;
  private readonly out: Redactor;
  private readonly err: Redactor;
  private readonly onStdout: ((chunk: Buffer) => void) | undefined;
  private readonly onStderr: ((chunk: Buffer) => void) | undefined;

  constructor(
    logPath: string,
    secrets: readonly string[],
    hooks: { onStdout?: (chunk: Buffer) => void; onStderr?: (chunk: Buffer) => void },
  ) {
    mkdirSync(dirname(logPath), { recursive: true, mode: 0o700 });
    this.log = openSync(logPath, 'a', 0o600);
    this.out = new Redactor(secrets);
    this.err = new Redactor(secrets);
    this.onStdout = hooks.onStdout;
    this.onStderr = hooks.onStderr;
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
    closeSync(this.log);
    this.open = false;
  }

  private emit(chunk: Buffer, to: ((chunk: Buffer) => void) | undefined): void {
    if (chunk.length === 0 || !this.open) return;
    writeSync(this.log, chunk);
    to?.(chunk);
  }
}
