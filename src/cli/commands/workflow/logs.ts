/**
 * `rnx workflow logs RUN [--follow]`: the output of a run's jobs with the live view's `name |`
 * prefixes; --follow prints new lines as they come until the run ends (src/engine/run-logs.ts).
 */
import { readRunLogs } from '../../../engine/run-logs.js';
import { logPathOf } from '../../../isolation/filesystem/job-files.js';
import { sharedDatabase, stateDir } from '../../../state/database.js';
import { flagOption } from '../../args.js';
import type { Command } from '../../context.js';
import { EXIT } from '../../context.js';
import { interruptible } from '../../interruptible.js';
import { writeLine } from '../../print.js';
import { runControlPorts } from '../../workflow-run/control-ports.js';
import { noSuchRun, oneRef } from '../../record-refs.js';

export const command: Command = {
  path: 'workflow logs',
  usage: 'rnx workflow logs RUN [--follow]',
  summary: "Print a workflow run's output, each line prefixed with its job's name",
  details: `Examples:
  rnx workflow logs wr-1a2b3c4d
  rnx workflow logs wr-1a2b --follow     (until the run ends)`,
  options: {
    follow: {
      type: 'boolean',
      short: 'f',
      description: 'keep printing new output until the run ends',
    },
  },
  async run(ctx, args) {
    const ref = oneRef(ctx, args.positionals, { message: 'rnx workflow logs takes one run id' });
    if (ref === undefined) return EXIT.usage;
    const dir = stateDir(ctx.env);
    const db = sharedDatabase(dir);
    return interruptible(ctx, async (interrupted) => {
      const read = await readRunLogs(db, ref, {
        follow: flagOption(args.options, 'follow'),
        ports: runControlPorts(dir),
        logPathOf: (jobId) => logPathOf(dir, jobId),
        onLine: (job, width, line) => writeLine(ctx.stdout, `${job.padEnd(width)} | ${line}`),
        abort: interrupted,
      });
      if (read === 'not-found') {
        return noSuchRun(ctx, db, ref);
      }
      return interrupted.aborted ? EXIT.interrupted : EXIT.ok;
    });
  },
};
