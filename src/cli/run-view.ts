/** How the workflow-run commands say that a run does not exist. */
import type { CliContext } from './context.js';
import { EXIT } from './exit-codes.js';
import { printProblem } from './print.js';

/** Says there is no run `ref`; returns the exit code for it. */
export function noSuchRun(ctx: CliContext, ref: string): number {
  printProblem(ctx, {
    code: 'not-found',
    message: `no workflow run '${ref}'`,
    hint: "see 'rnx workflow list'",
  });
  return EXIT.failed;
}
