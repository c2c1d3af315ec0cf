/**
 * `--json`: every engine event as one JSON object on its own line (see src/engine/events.ts); a
 * batch of output lines becomes one `job-output` object per line, written with one write.
 */
import type { Writable } from 'node:stream';
import type { EngineEvent } from '../../engine/events.js';
import { linesOf } from '../../engine/line-splitter.js';
import type { Reporter } from './reporter.js';

export class JsonReporter implements Reporter {
  private readonly out: Writable;

  constructor(out: Writable) {
    this.out = out;
  }

  onEvent(event: EngineEvent): void {
    if (event.event !== 'job-output') {
      this.out.write(`${JSON.stringify(event)}\n`);
      return;
    }
    // Everything but `line` is the same for the whole batch: serialise it once.
    const { data, ...rest } = event;
    const head = `${JSON.stringify(rest).slice(0, -1)},"line":`;
    let out = '';
    for (const line of linesOf(data.toString('utf8'))) out += `${head}${JSON.stringify(line)}}\n`;
    // As bytes: see TextReporter.onEvent.
    this.out.write(Buffer.from(out));
  }

  close(): void {}
}
