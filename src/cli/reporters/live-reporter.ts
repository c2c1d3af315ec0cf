/**
 * On a terminal: the coloured lines of the text reporter scroll above a board of every job
 * (state, time, address) and a progress count, redrawn in place on every event and once a second
 * while jobs run (to advance their clocks). At the end the board gives way to the summary table.
 */
import type { Writable } from 'node:stream';
import type { EngineEvent } from '../../engine/events.js';
import { formatDuration, nameColor, painter, statusColor } from './format.js';
import type { BoardRow } from './job-board.js';
import type { Reporter } from './reporter.js';
import { EventFormatter } from './text-reporter.js';

const SYMBOLS: Readonly<Record<BoardRow['state'], string>> = {
  waiting: '·',
  running: '▶',
  ready: '▶',
  stopping: '■',
  retrying: '↻',
  COMPLETED: '✔',
  FAILED: '✖',
  STOPPED: '■',
  CANCELED: '⊘',
};

export class LiveReporter implements Reporter {
  private readonly formatter = new EventFormatter(painter(true));
  private drawn = 0;
  private timer: NodeJS.Timeout | undefined;
  private finished = false;
  private pending: string[] = [];
  private flushing: NodeJS.Immediate | undefined;

  private readonly out: Writable & { columns?: number };
  private readonly now: () => number;

  constructor(out: Writable & { columns?: number }, now: () => number = Date.now) {
    this.out = out;
    this.now = now;
  }

  onEvent(event: EngineEvent): void {
    for (const line of this.formatter.format(event)) this.pending.push(line);
    if (event.event === 'workflow-finished') {
      this.finished = true;
      this.flush();
      this.close();
      return;
    }
    // Lines that arrive together (a burst of output) are written with one redraw of the board.
    this.flushing ??= setImmediate(() => this.flush());
    this.timer ??= setInterval(() => this.flush(), 1000).unref();
  }

  private flush(): void {
    clearImmediate(this.flushing);
    this.flushing = undefined;
    const lines = this.pending.map((l) => `${l}\n`).join('');
    this.pending = [];
    this.out.write(Buffer.from(this.erase() + lines + this.draw()));
  }

  close(): void {
    if (this.pending.length > 0) this.flush();
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** The board as text, for the terminal (exported for tests through `boardLines`). */
  boardLines(): string[] {
    const board = this.formatter.board;
    const p = this.formatter.paint;
    const width = board.nameWidth();
    const rows = [...board.rows.values()].map((row, i) => {
      const active = row.state === 'running' || row.state === 'ready';
      const state = statusColor(p, active ? 'RUNNING' : row.state);
      const start = row.startedAt;
      const elapsed =
        start === undefined ? '' : formatDuration((row.endedAt ?? this.now()) - start);
      const raw = [
        [SYMBOLS[row.state], state],
        [row.job.padEnd(width), nameColor(p, i)],
        [row.state.toLowerCase().padEnd(9), state],
        [elapsed.padStart(7), p.reset],
        [row.address ?? '', p.reset],
        [row.note ?? '', p.dim],
      ] as const;
      // Drop empty trailing cells before colouring, so no line ends in blanks.
      let last = raw.length;
      while (last > 0 && (raw[last - 1]?.[0] ?? '').trim() === '') last--;
      const cells = raw
        .slice(0, last)
        .map(([text, colour], k) => colour(k === last - 1 ? text.trimEnd() : text));
      return ` ${cells.join('  ')}`;
    });
    const all = [...board.rows.values()];
    const running = all.filter(
      (r) => r.state === 'running' || r.state === 'ready' || r.state === 'stopping',
    ).length;
    const footer = p.dim(
      ` ${String(board.doneCount())}/${String(all.length)} done, ${String(running)} running, concurrency ${String(board.concurrency)}`,
    );
    return [...rows, footer];
  }

  private draw(): string {
    if (this.finished) {
      this.drawn = 0;
      return '';
    }
    // Some terminals (or `script`) report 0 columns: assume a common width then.
    const columns = (this.out.columns ?? 0) > 20 ? (this.out.columns ?? 0) : 120;
    // Lines must not wrap, or erasing would miscount them.
    const lines = this.boardLines().map((l) => truncate(l, columns - 1));
    this.drawn = lines.length;
    return lines.map((l) => `${l}\n`).join('');
  }

  private erase(): string {
    return this.drawn === 0 ? '' : `\x1b[${String(this.drawn)}A\x1b[0J`;
  }
}

/** Cuts a line with colour codes to `max` visible characters. */
function truncate(line: string, max: number): string {
  let visible = 0;
  let out = '';
  for (let i = 0; i < line.length; i++) {
    if (line[i] === '\x1b') {
      const end = line.indexOf('m', i);
      out += line.slice(i, end + 1);
      i = end;
      continue;
    }
    if (visible >= max) continue;
    out += line[i];
    visible++;
  }
  return out;
}
