/** `rnx job run COMMAND`: scaffolding until the isolation runner lands. */
import type { ParsedArgs } from './args.js';
import type { CliContext } from './context.js';
import { EXIT } from './context.js';
import { printProblem } from './print.js';

export function runSingleJob(ctx: CliContext, _args: ParsedArgs): Promise<number> {
  printProblem(ctx, { code: 'not-built', message: 'single job runs are not built yet' });
  return Promise.resolve(EXIT.failed);
}
