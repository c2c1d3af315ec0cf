/**
 * `rnx job stop ID [--grace DURATION]`: stops a running job from any terminal. Records the stop
 * request, then signals the job through its cgroup: its stop signal (SIGTERM unless it chose
 * another) to every process, the grace period (its own unless --grace is given),
 * SIGKILL to the whole tree. The rnx that runs the job records it STOPPED; if that rnx is gone,
 * this command cleans up after it.
 */
import { openDatabase, stateDir } from '../../state/database.js';
import { getJob, requestStop, claimJob } from '../../isolation/records/job-store.js';
import { jobOrReport } from '../job-view.js';
import { isAlive, selfIdentity } from '../../isolation/records/proc-identity.js';
import { cleanUpJob } from '../../isolation/records/orphans.js';
import { stopJob } from '../../isolation/end/stop-job.js';
import { parseDuration } from '../../units.js';
import type { Command } from '../context.js';
import { EXIT } from '../context.js';
import { stringOption } from '../args.js';
import { printProblem, writeLine } from '../print.js';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export const command: Command = {
  path: 'job stop',
  usage: 'rnx job stop ID [--grace DURATION]',
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
    const ref = args.positionals[0];
    if (ref === undefined || args.positionals.length > 1) {
      printProblem(ctx, { code: 'usage', message: 'rnx job stop takes one job id or name' });
      return EXIT.usage;
    }
    const graceText = stringOption(args.options, 'grace');
    const grace = graceText === undefined ? undefined : parseDuration(graceText, '--grace');
    if (grace !== undefined && !grace.ok) {
      printProblem(ctx, grace.problem);
      return EXIT.usage;
    }
    const db = openDatabase(stateDir(ctx.env));
    const job = jobOrReport(ctx, db, ref);
    if (job === undefined) return EXIT.failed;
    if (!job.active) {
      writeLine(ctx.stderr, `rnx: job ${job.id} is not running (${job.status})`);
      return EXIT.failed;
    }
    requestStop(db, job.id, new Date().toISOString());
    if (!isAlive(job.owner)) {
      if (claimJob(db, job.id, job.owner, selfIdentity())) {
        await cleanUpJob(db, job, {
          status: 'STOPPED',
          reason: 'stopped',
          message: 'stopped; the rnx that ran it was gone',
        });
      }
    } else if (job.cgroup !== null) {
      const initPid = job.init !== null && isAlive(job.init) ? job.init.pid : undefined;
      await stopJob(
        { cgroup: job.cgroup, ...(initPid === undefined ? {} : { initPid }) },
        grace?.value ?? job.stopGraceMs,
        undefined,
        job.stopSignal,
      );
    }
    // The owning rnx writes the final record once its job has ended.
    for (let i = 0; i < 100 && (getJob(db, job.id)?.active ?? false); i++) await sleep(50);
    const final = getJob(db, job.id);
    writeLine(ctx.stdout, `${job.id} ${final?.status ?? 'STOPPING'}`);
    return EXIT.ok;
  },
};
