/**
 * `rnx workflow stop RUN`: stops a running workflow run as Ctrl-C on its rnx would (running jobs
 * stopped gracefully, pending ones canceled, everything released, the run CANCELED), waits until
 * it has ended (woken by its end), and prints `RUN STATUS`.
 */
import { stopRun } from '../../../engine/run-control.js';
import { sharedDatabase, stateDir } from '../../../state/database.js';
import type { Command } from '../../context.js';
import { EXIT } from '../../context.js';
import { writeLine } from '../../print.js';
import { runControlPorts } from '../../workflow-run/control-ports.js';
import { noSuchRun, oneRef } from '../../record-refs.js';

export const command: Command = {
  path: 'workflow stop',
  usage: 'rnx workflow stop RUN',
  needs: () => ({ root: "it stops a run's rnx and jobs, which are root's" }),
  summary: 'Stop a running workflow run, as Ctrl-C on its rnx would',
  details: `Examples:
  rnx workflow stop wr-1a2b3c4d`,
  options: {},
  async run(ctx, args) {
    const ref = oneRef(ctx, args.positionals, { message: 'rnx workflow stop takes one run id' });
    if (ref === undefined) return EXIT.usage;
    const dir = stateDir(ctx.env);
    const db = sharedDatabase(dir);
    const stopped = await stopRun(db, ref, runControlPorts(dir));
    if (stopped.kind === 'not-found') {
      return noSuchRun(ctx, db, ref);
    }
    if (stopped.kind === 'not-running') {
      writeLine(ctx.stderr, `rnx: run ${stopped.run.id} is not running (${stopped.run.status})`);
      return EXIT.failed;
    }
    writeLine(ctx.stdout, `${stopped.run.id} ${stopped.run.status}`);
    return EXIT.ok;
  },
};
