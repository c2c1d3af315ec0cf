/** `--json`: every engine event as one JSON object on its own line (see src/engine/events.ts). */
import type { Writable } from 'node:stream';
import type { EngineEvent } from '../../engine/events.js';
import type { Reporter } from './reporter.js';

export class JsonReporter implements Reporter {
  private readonly out: Writable;

  constructor(out: Writable) {
    this.out = out;
  }

  onEvent(event: EngineEvent): void {
    this.out.write(`${JSON.stringify(event)}\n`);
  }

  close(): void {}
}
