/**
 * Plain lines, for pipes, files and NO_COLOR (and, coloured, above the live board):
 *
 *   workflow demo: 3 jobs, concurrency 2, run wr-1a2b3c
 *   db: started, pid 4242, backend 10.30.0.2
 *   db: ready after 1.21s
 *   db   | Serving HTTP on 0.0.0.0 port 8000 ...
 *   api: COMPLETED, exit 0, 0.52s
 *   web: CANCELED: requires api: COMPLETED, but api ended FAILED
 *
 * then the summary table and the workflow status on one line.
 */
import type { ChalkInstance } from 'chalk';
import type { Writable } from 'node:stream';
import type { EngineEvent } from '../../engine/events.js';
import { formatDuration, nameColor, painter, statusColor } from './format.js';
import { JobBoard } from './job-board.js';
import { LinePrefixer } from './prefix-lines.js';
import type { Reporter } from './reporter.js';
import { statusLine, summaryTable } from './summary.js';

export class EventFormatter {
  readonly board = new JobBoard();
  readonly paint: ChalkInstance;

  constructor(paint: ChalkInstance) {
    this.paint = paint;
  }

  /** What a job's output lines start with: its name, padded, and a bar. */
  outputPrefix(job: string): string {
    const p = this.paint;
    return `${nameColor(p, this.board.indexOf(job))(job.padEnd(this.board.nameWidth()))} | `;
  }

  /** Folds the event into the board and returns the lines it prints. */
  format(event: EngineEvent): string[] {
    this.board.apply(event);
    const p = this.paint;
    const name = (job: string): string => nameColor(p, this.board.indexOf(job))(job);
    switch (event.event) {
      case 'workflow-started':
        return [
          `workflow ${p.bold(event.workflow)}: ${String(event.jobs.length)} jobs, concurrency ${String(event.concurrency)}, run ${event.runId}`,
        ];
      case 'job-started': {
        const where = [event.network, event.address].filter((x) => x !== undefined).join(' ');
        const attempt = event.attempt > 1 ? ` (attempt ${String(event.attempt)})` : '';
        return [`${name(event.job)}: started${attempt}, pid ${String(event.pid)}, ${where}`];
      }
      case 'job-output': {
        // One string for the whole batch: the prefix is the same for every line.
        const prefix = this.outputPrefix(event.job);
        const text = event.data.toString('utf8');
        return [prefix + text.slice(0, -1).replaceAll('\n', `\n${prefix}`)];
      }
      case 'job-ready':
        return [`${name(event.job)}: ready after ${formatDuration(event.afterMs)}`];
      case 'job-stopping':
        return [`${name(event.job)}: stopping: ${event.cause}`];
      case 'job-retrying':
        return [
          `${name(event.job)}: retrying, attempt ${String(event.attempt)} in ${formatDuration(event.delayMs)}`,
        ];
      case 'job-finished': {
        const status = statusColor(p, event.status)(event.status);
        const reason = event.reason === 'exit' ? '' : ` (${event.reason})`;
        const exit = event.exitCode === null ? '' : `, exit ${String(event.exitCode)}`;
        const signal = event.signal === null ? '' : `, signal ${event.signal}`;
        const message = event.message === undefined ? '' : `: ${event.message}`;
        const took = event.durationMs === null ? '' : `, ${formatDuration(event.durationMs)}`;
        const outputs = Object.keys(event.outputs ?? {});
        const wrote = outputs.length === 0 ? '' : `, outputs ${outputs.join(', ')}`;
        return [`${name(event.job)}: ${status}${reason}${exit}${signal}${took}${wrote}${message}`];
      }
      case 'job-canceled':
        return [`${name(event.job)}: ${statusColor(p, 'CANCELED')('CANCELED')}: ${event.cause}`];
      case 'job-reused':
        return [
          `${name(event.job)}: ${statusColor(p, 'COMPLETED')('COMPLETED')} in ${event.fromRun}, not run again`,
        ];
      case 'workflow-finished':
        return ['', summaryTable(event, p), statusLine(event, this.board.workflow, p)];
    }
  }
}

export class TextReporter implements Reporter {
  private readonly formatter: EventFormatter;
  private readonly out: Writable;
  private readonly prefixer = new LinePrefixer();

  constructor(out: Writable, options: { color: boolean }) {
    this.out = out;
    this.formatter = new EventFormatter(painter(options.color));
  }

  onEvent(event: EngineEvent): void {
    // As bytes: a pipe slower than the job queues buffers, and Node writes a queue of buffers far
    // faster than a queue of strings. A block of output is prefixed on its bytes, into room that
    // is used again once the block is written (prefix-lines.ts).
    if (event.event === 'job-output') {
      this.formatter.board.apply(event);
      const prefix = Buffer.from(this.formatter.outputPrefix(event.job));
      const block = this.prefixer.prefix(event.data, prefix);
      this.out.write(block, () => this.prefixer.written(block));
      return;
    }
    this.out.write(Buffer.from(`${this.formatter.format(event).join('\n')}\n`));
  }

  close(): void {}
}
