/** How the workflow-run commands say that a run does not exist or that an id prefix is ambiguous. */
import { runsMatching } from '../engine/records.js';
import type { Database } from '../state/database.js';
import type { CliContext } from './context.js';
import { EXIT } from './exit-codes.js';
import { printProblem } from './print.js';

/** Says there is no run `ref`, or that several runs start with it (naming them); returns the exit code. */
export function noSuchRun(ctx: CliContext, db: Database, ref: string): number {
  const candidates = runsMatching(db, ref, 10).map((r) => r.id);
  printProblem(
    ctx,
    candidates.length > 1
      ? {
          code: 'not-found',
          message: `run id prefix '${ref}' is ambiguous: ${candidates.join(', ')}${candidates.length === 10 ? ', ...' : ''}`,
          hint: 'give more characters of the id',
        }
      : {
          code: 'not-found',
          message: `no workflow run '${ref.length > 80 ? `${ref.slice(0, 80)}...` : ref}'`,
          hint: "see 'rnx workflow list'",
        },
  );
  return EXIT.failed;
}
