/**
 * `rnx job stop ID [--grace DURATION]`: stops a running job from any terminal. Records the stop
 * request, then signals the job through its cgroup: its stop signal (SIGTERM unless it chose
 * another) to every process, the grace period (its own unless --grace is given), SIGKILL to the
 * whole tree. The rnx that runs the job (or a detached job's supervisor) records it STOPPED, and
 * this command wakes when it has (no polling); if that rnx is gone, this command cleans up after it.
 */
import { sharedDatabase, stateDir } from '../../../state/database.js';
import { jobOrReport, oneRef } from '../../record-refs.js';
import { stopRunningJob } from '../../../isolation/end/stop-running.js';
import { parseDuration } from '../../../units.js';
import type { Command } from '../../context.js';
import { EXIT } from '../../context.js';
import { stringOption } from '../../args.js';
import { printProblem, writeLine } from '../../print.js';

export const command: Command = {
  path: 'job stop',
  usage: 'rnx job stop ID [--grace DURATION]',
  needs: () => ({
    root: "it signals the job's processes and removes its cgroups, which are root's",
  }),
  summary:
    'Stop a running job: its stop signal (SIGTERM) to all its processes, then SIGKILL after a grace period',
  details: `Examples:
  rnx job stop 3f2a9c1b7d40
  rnx job stop web --grace=2s`,
  options: {
    grace: {
      type: 'string',
      valueName: 'DURATION',
      description: "time between the stop signal and SIGKILL (default: the job's stop_grace, 10s)",
    },
  },
  async run(ctx, args) {
    const ref = oneRef(ctx, args.positionals, { message: 'rnx job stop takes one job id or name' });
    if (ref === undefined) return EXIT.usage;
    const graceText = stringOption(args.options, 'grace');
    const grace = graceText === undefined ? undefined : parseDuration(graceText, '--grace');
    if (grace !== undefined && !grace.ok) {
      printProblem(ctx, grace.problem);
      return EXIT.usage;
    }
    const db = sharedDatabase(stateDir(ctx.env));
    const resolved = jobOrReport(ctx, db, ref);
    if ('exit' in resolved) return resolved.exit;
    const job = resolved.found;
    if (!job.active) {
      writeLine(ctx.stderr, `rnx: job ${job.id} is not running (${job.status})`);
      return EXIT.failed;
    }
    const final = await stopRunningJob(db, stateDir(ctx.env), job, grace?.value ?? job.stopGraceMs);
    writeLine(ctx.stdout, `${job.id} ${final?.status ?? 'STOPPING'}`);
    return EXIT.ok;
  },
};
