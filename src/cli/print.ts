/** Small printing helpers shared by commands: problems, tables and JSON. */
import type { Problem } from '../problem.js';
import type { CliContext } from './context.js';

export function writeLine(stream: NodeJS.WritableStream, text = ''): void {
  stream.write(`${text}\n`);
}

/** `rnx: <message>` then an indented hint, on stderr. */
export function printProblem(ctx: CliContext, problem: Problem): void {
  writeLine(ctx.stderr, `rnx: ${problem.message}`);
  if (problem.hint !== undefined) writeLine(ctx.stderr, `  hint: ${problem.hint}`);
}

export function printJson(ctx: CliContext, value: unknown): void {
  writeLine(ctx.stdout, JSON.stringify(value, null, 2));
}

/** Left-aligned columns separated by two spaces; the header row first. */
export function formatTable(
  header: readonly string[],
  rows: readonly (readonly string[])[],
): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}
