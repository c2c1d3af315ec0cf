/** Small printing helpers shared by commands: problems, tables and JSON. */
import { clip, printable } from '../printable.js';
import type { Problem } from '../problem.js';
import type { CliContext } from './context.js';

export function writeLine(stream: NodeJS.WritableStream, text = ''): void {
  stream.write(`${text}\n`);
}

/** `rnx: <message>` then an indented hint, on stderr; control characters escaped, long text clipped. */
export function printProblem(ctx: CliContext, problem: Problem): void {
  writeLine(ctx.stderr, `rnx: ${printable(clip(problem.message))}`);
  if (problem.hint !== undefined) writeLine(ctx.stderr, `  hint: ${printable(clip(problem.hint))}`);
}

export function printJson(ctx: CliContext, value: unknown): void {
  writeLine(ctx.stdout, JSON.stringify(value, null, 2));
}

/** Left-aligned columns separated by two spaces; the header row first. */
export function formatTable(
  header: readonly string[],
  rows: readonly (readonly string[])[],
): string {
  const cells = rows.map((row) => row.map(printable));
  // A loop, not Math.max(...rows): a spread of 100,000 rows overflows the stack.
  const widths = header.map((h, i) =>
    cells.reduce((width, r) => Math.max(width, (r[i] ?? '').length), h.length),
  );
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(header), ...cells.map(line)].join('\n');
}
