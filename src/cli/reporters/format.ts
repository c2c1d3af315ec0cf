/** Small text helpers shared by the reporters and the records commands. */
import { Chalk, type ChalkInstance } from 'chalk';

/** `0.42s`, `12.3s`, `4m05s`. */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '-';
  if (ms < 10_000) return `${(ms / 1000).toFixed(2)}s`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  const minutes = Math.floor(ms / 60_000);
  const seconds = Math.floor((ms % 60_000) / 1000);
  return `${String(minutes)}m${String(seconds).padStart(2, '0')}s`;
}

export function painter(color: boolean): ChalkInstance {
  return new Chalk({ level: color ? 1 : 0 });
}

/** Colours cycled over job names, as docker compose does for services. */
const NAME_COLORS = [
  'cyan',
  'yellow',
  'green',
  'magenta',
  'blue',
  'cyanBright',
  'yellowBright',
] as const;

export function nameColor(paint: ChalkInstance, index: number): ChalkInstance {
  return paint[NAME_COLORS[index % NAME_COLORS.length] ?? 'cyan'];
}

/** Colour for a job or workflow status (or a board state such as `waiting`). */
export function statusColor(paint: ChalkInstance, status: string): ChalkInstance {
  switch (status) {
    case 'COMPLETED':
      return paint.green;
    case 'FAILED':
      return paint.red;
    case 'RUNNING':
      return paint.blue;
    case 'STOPPED':
    case 'CANCELED':
      return paint.yellow;
    default:
      return paint.dim;
  }
}
