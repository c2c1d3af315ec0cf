/**
 * `rnx job wait ID [--json]`: blocks until the job ends, woken by its end (no polling), and exits
 * with its exit code (128 + signal number when a signal ended it; 1 when it never ran). --json
 * prints its final record. Ctrl-C stops waiting (exit 130) and leaves the job alone.
 */
import { shellExitCode } from '../../../isolation/end/outcome.js';
import { waitForJobEnd } from '../../../isolation/records/wait-end.js';
import { sharedDatabase, stateDir } from '../../../state/database.js';
import { flagOption } from '../../args.js';
import type { Command } from '../../context.js';
import { EXIT } from '../../context.js';
import { interruptible } from '../../interruptible.js';
import { jobJson } from '../../format/job.js';
import { jobOrReport, oneRef } from '../../record-refs.js';
import { printJson, writeLine } from '../../print.js';

export const command: Command = {
  path: 'job wait',
  usage: 'rnx job wait ID [--json]',
  summary: 'Wait for a job to end; exit with its exit code (--json: its final record)',
  details: `ID may be a job id, a unique prefix of one, or a job name (the running one).
Examples:
  ID=$(rnx job run -d --network=none sh -c 'sleep 1; exit 3'); rnx job wait "$ID"; echo $?   # 3
  rnx job wait backend --json | jq -r .status`,
  options: { json: { type: 'boolean', description: 'print the final record as a JSON object' } },
  async run(ctx, args) {
    const ref = oneRef(ctx, args.positionals, { message: 'rnx job wait takes one job id or name' });
    if (ref === undefined) return EXIT.usage;
    const dir = stateDir(ctx.env);
    const db = sharedDatabase(dir);
    const resolved = jobOrReport(ctx, db, ref);
    if ('exit' in resolved) return resolved.exit;
    const job = resolved.found;
    const final = await interruptible(ctx, (interrupted) =>
      waitForJobEnd(db, dir, job.id, interrupted),
    );
    if (final === undefined) return EXIT.failed;
    if (final.active) {
      writeLine(ctx.stderr, `rnx: stopped waiting; job ${job.id} is still ${final.status}`);
      return EXIT.interrupted;
    }
    if (flagOption(args.options, 'json')) printJson(ctx, jobJson(final));
    if (final.exitCode === null && final.signal === null) return EXIT.failed;
    return shellExitCode(final.exitCode, final.signal);
  },
};
