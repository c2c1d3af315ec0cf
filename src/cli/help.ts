/** Help text for `rnx --help` and `rnx COMMAND --help`. */
import type { Command } from './context.js';
import type { CommandEntry } from './registry.js';
import { EXIT_MEANINGS } from './exit-codes.js';

const EXIT_CODES = [
  'Exit codes:',
  ...EXIT_MEANINGS.map(([code, meaning]) => `  ${String(code).padEnd(4)} ${meaning}`),
  "  rnx job run exits with the job's own exit code (128 + signal number when it was killed),",
  '  except when rnx stopped the job itself: 130 for Ctrl-C, SIGTERM or SIGHUP, 141 when its',
  '  standard output was closed.',
].join('\n');

export function topLevelHelp(all: readonly CommandEntry[], version: string): string {
  const commands = all.filter((c) => c.internal !== true);
  const width = Math.max(...commands.map((c) => c.path.length), 10);
  const rows = commands.map((c) => `  rnx ${c.path.padEnd(width)}  ${c.summary}`);
  return [
    `rnx ${version}: run YAML job graphs as isolated Linux processes`,
    '',
    'Usage: rnx COMMAND [FLAGS] [ARGS]',
    '',
    'Commands:',
    ...rows,
    '',
    "Run 'rnx COMMAND --help' for a command's flags and examples.",
    '',
    EXIT_CODES,
  ].join('\n');
}

export function commandHelp(command: Command): string {
  const flags = Object.entries(command.options).map(([name, spec]) => {
    const short = spec.short === undefined ? '    ' : `-${spec.short}, `;
    const value = spec.type === 'string' ? `=${spec.valueName ?? 'VALUE'}` : '';
    return { left: `  ${short}--${name}${value}`, right: spec.description };
  });
  const width = Math.max(0, ...flags.map((f) => f.left.length));
  return [
    `Usage: ${command.usage}`,
    '',
    command.summary,
    ...(flags.length > 0
      ? ['', 'Flags:', ...flags.map((f) => `${f.left.padEnd(width)}  ${f.right}`)]
      : []),
    ...(command.details === undefined ? [] : ['', command.details]),
    '',
    EXIT_CODES,
  ].join('\n');
}
