/** `rnx job run --workflow=FILE`: scaffolding until validation and the engine land. */
import type { ParsedArgs } from './args.js';
import type { CliContext } from './context.js';
import { EXIT } from './context.js';
import { printProblem } from './print.js';

export function runWorkflowFile(ctx: CliContext, _args: ParsedArgs): Promise<number> {
  printProblem(ctx, { code: 'not-built', message: 'workflow runs are not built yet' });
  return Promise.resolve(EXIT.failed);
}
