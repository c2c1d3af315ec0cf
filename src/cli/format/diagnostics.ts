/** Prints a file's diagnostics on stderr: plain text, or with colour on a terminal. */
import type { Diagnostic } from '../../validate/diagnostic.js';
import { renderDiagnostic, sortDiagnostics, sourceLines } from '../../validate/diagnostic.js';
import type { CliContext } from '../context.js';
import { writeLine } from '../print.js';

export async function printDiagnostics(
  ctx: CliContext,
  diagnostics: readonly Diagnostic[],
  source: string | undefined,
): Promise<void> {
  if (diagnostics.length === 0) return;
  const paint = ctx.fancy ? await painter() : undefined;
  const lines = source === undefined ? undefined : sourceLines(source);
  for (const d of sortDiagnostics(diagnostics)) {
    const text = renderDiagnostic(d, lines);
    writeLine(ctx.stderr, paint === undefined ? text : paint(d, text));
    writeLine(ctx.stderr);
  }
}

async function painter(): Promise<(d: Diagnostic, text: string) => string> {
  const { default: chalk } = await import('chalk');
  return (d, text) => {
    const [head = '', ...rest] = text.split('\n');
    const colour = d.severity === 'error' ? chalk.red : chalk.yellow;
    const body = rest.map((line) => (/^\s+\|\s*\^+$/.test(line) ? colour(line) : line));
    return [chalk.bold(head.replace(` ${d.severity} `, ` ${colour(d.severity)} `)), ...body].join(
      '\n',
    );
  };
}

/** JSON form of a diagnostic list (already plain data). */
export function diagnosticsJson(diagnostics: readonly Diagnostic[]): unknown {
  return sortDiagnostics(diagnostics);
}
