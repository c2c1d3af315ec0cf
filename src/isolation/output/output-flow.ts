/**
 * Back-pressure from where jobs' output goes (rnx's standard output and error) to the pipes it is
 * read from, as `docker compose up` and a shell pipeline have it: while a place rnx writes to has
 * more queued than it takes (a slow reader of a pipe, `less`, a terminal), rnx stops reading the
 * jobs' output; their pipes fill and their writes wait, instead of rnx queueing what they print
 * in memory without bound. Node's rule for streams: a `write` that returns false asks the writer
 * to wait for `drain`.
 *
 * Without it, `rnx job run --workflow` of a job printing 2,000,000 lines into `| wc -l` queued
 * 35 MB (all of it: rnx reads faster than wc) and `rnx job run` 15 MB, each a fresh buffer whose
 * pages the kernel maps one by one; with it the queue stays under 256 kB and the workflow's
 * prefixed blocks reuse their room (cli/reporters/prefix-lines.ts).
 */
import type { Readable, Writable } from 'node:stream';

export class OutputFlow {
  /** The pipes' readers (a job's stdout and stderr) while they are open. */
  private readonly readers = new Set<Readable>();
  /** Places written to that asked to wait for `drain`. */
  private readonly full = new Set<Writable>();

  /** While any place is full, the readers are paused. */
  get held(): boolean {
    return this.full.size > 0;
  }

  /**
   * Called after writing to `sink`: when it asked to wait, the jobs' output is not read until it
   * drains (or fails or closes: nothing then waits on it).
   */
  wrote(sink: Writable): void {
    if (!sink.writableNeedDrain || this.full.has(sink)) return;
    const go = (): void => {
      sink.off('drain', go);
      sink.off('error', go);
      sink.off('close', go);
      this.full.delete(sink);
      if (this.full.size === 0) for (const reader of this.readers) reader.resume();
    };
    sink.on('drain', go);
    sink.on('error', go);
    sink.on('close', go);
    this.full.add(sink);
    if (this.full.size === 1) for (const reader of this.readers) reader.pause();
  }

  /** `reader` (flowing, with its `data` listener) pauses and resumes with the flow until it closes. */
  follow(reader: Readable): void {
    this.readers.add(reader);
    reader.once('close', () => this.readers.delete(reader));
    if (this.held) reader.pause();
  }
}
