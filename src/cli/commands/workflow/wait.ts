/**
 * `rnx workflow wait RUN [--json]`: blocks until a workflow run ends, woken by its end (no
 * polling), and exits with the run's exit code (0 COMPLETED, 1 FAILED, 130 CANCELED).
 */
import { waitForRunEnd } from '../../../engine/run-control.js';
import { sharedDatabase, stateDir } from '../../../state/database.js';
import { flagOption } from '../../args.js';
import type { Command } from '../../context.js';
import { EXIT } from '../../context.js';
import { interruptible } from '../../interruptible.js';
import { printJson, writeLine } from '../../print.js';
import { runControlPorts } from '../../workflow-run/control-ports.js';
import { noSuchRun, oneRef } from '../../record-refs.js';

export const command: Command = {
  path: 'workflow wait',
  usage: 'rnx workflow wait RUN [--json]',
  summary: "Wait for a workflow run to end; exit with the run's exit code",
  details: `Examples:
  RUN=$(rnx job run --workflow=workflows/diamond.yaml -d); rnx workflow wait "$RUN"; echo $?
  rnx workflow wait wr-1a2b --json | jq -r .status`,
  options: { json: { type: 'boolean', description: "print the run's final record" } },
  async run(ctx, args) {
    const ref = oneRef(ctx, args.positionals, { message: 'rnx workflow wait takes one run id' });
    if (ref === undefined) return EXIT.usage;
    const dir = stateDir(ctx.env);
    const db = sharedDatabase(dir);
    const run = await interruptible(ctx, (interrupted) =>
      waitForRunEnd(db, ref, runControlPorts(dir), interrupted),
    );
    if (run === undefined) {
      return noSuchRun(ctx, db, ref);
    }
    if (run.status === 'RUNNING') {
      writeLine(ctx.stderr, `rnx: stopped waiting; run ${run.id} is still RUNNING`);
      return EXIT.interrupted;
    }
    if (flagOption(args.options, 'json')) printJson(ctx, run);
    return run.exitCode ?? EXIT.failed;
  },
};
