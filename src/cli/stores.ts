/** Shared plumbing of the volume and runtime commands: the state database and exit codes. */
import type { Problem } from '../problem.js';
import { sharedDatabase, stateDir, type Database } from '../state/database.js';
import type { CliContext } from './context.js';
import { exitCodeFor } from './exit-codes.js';
import { printProblem } from './print.js';

export function openState(ctx: CliContext): { db: Database; dir: string } {
  const dir = stateDir(ctx.env);
  return { db: sharedDatabase(dir), dir };
}

/** Prints the problem and returns its exit code. */
export function reportProblem(ctx: CliContext, problem: Problem): number {
  printProblem(ctx, problem);
  return exitCodeFor(problem);
}

/** Exactly `count` positionals, or a usage problem naming them. */
export function positionalsOrProblem(
  positionals: readonly string[],
  names: readonly string[],
): Problem | undefined {
  if (positionals.length === names.length) return undefined;
  return {
    code: 'usage',
    message:
      positionals.length < names.length
        ? `missing ${names.slice(positionals.length).join(' ')}`
        : `unexpected argument '${positionals[names.length] ?? ''}'`,
    hint: 'see --help',
  };
}
