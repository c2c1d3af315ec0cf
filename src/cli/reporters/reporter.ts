/**
 * Reporters turn engine events into what the user sees. Three of them:
 * - json: one JSON object per line, the events exactly (`--json`);
 * - text: plain lines for pipes, files and NO_COLOR (state changes, `job |` prefixed output,
 *   the summary table, the workflow status on one line);
 * - live: on a terminal, the same lines with colours above a status board of every job that is
 *   redrawn in place.
 */
import type { Writable } from 'node:stream';
import type { EngineEvent } from '../../engine/events.js';
import { JsonReporter } from './json-reporter.js';
import { LiveReporter } from './live-reporter.js';
import { TextReporter } from './text-reporter.js';

export interface Reporter {
  onEvent(event: EngineEvent): void;
  /** Stops timers and leaves the terminal clean; idempotent. */
  close(): void;
}

export interface ReporterChoice {
  readonly json: boolean;
  /** A terminal without NO_COLOR: colours and the live board. */
  readonly fancy: boolean;
}

export function createReporter(out: Writable, choice: ReporterChoice): Reporter {
  if (choice.json) return new JsonReporter(out);
  if (choice.fancy) return new LiveReporter(out);
  return new TextReporter(out, { color: false });
}
