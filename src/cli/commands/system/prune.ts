/**
 * `rnx system prune`: removes what killed rnx runs left behind (processes, cgroups, network wiring,
 * leases, run directories), and stray rnx cgroups and run directories no live job owns. Jobs of
 * live rnx processes are never touched.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { findRun, pruneEndedRuns, reconcileRuns } from '../../../engine/records.js';
import { parseDuration } from '../../../units.js';
import { ok, type Result } from '../../../problem.js';
import { stringOption } from '../../args.js';
import { printProblem } from '../../print.js';
import { isAlive } from '../../../isolation/records/proc-identity.js';
import { sharedDatabase, stateDir } from '../../../state/database.js';
import { pruneRunFiles } from '../../../state/run-files.js';
import { pruneEndedJobs, pruneStrays } from '../../../isolation/records/prune.js';
import { reclaimStaleLeases } from '../../../networks/index.js';
import { cleanUpOrphanedJobs } from '../../../isolation/records/orphans.js';
import type { Command } from '../../context.js';
import { EXIT } from '../../context.js';
import { writeLine } from '../../print.js';

export const command: Command = {
  path: 'system prune',
  maxPositionals: 0,
  usage: 'rnx system prune [--older-than DURATION]',
  needs: () => ({
    root: "it removes what killed runs left: root's processes, cgroups, veths and mounts",
  }),
  summary: 'Remove what killed rnx runs left behind: processes, cgroups, leases, veths, files',
  details: `Examples:
  rnx system prune
  rnx system prune --older-than=7d     (also the records and logs of jobs and runs that ended over 7 days ago)`,
  options: {
    'older-than': {
      type: 'string',
      valueName: 'DURATION',
      description:
        'also remove records and logs of jobs and runs that ended longer ago (30m, 12h, 7d)',
    },
  },
  async run(ctx, args) {
    const olderText = stringOption(args.options, 'older-than');
    const older = olderText === undefined ? undefined : parseAge(olderText);
    if (older !== undefined && !older.ok) {
      printProblem(ctx, older.problem);
      return EXIT.usage;
    }
    const dir = stateDir(ctx.env);
    const db = sharedDatabase(dir);
    if (older !== undefined) {
      const cutoff = new Date(Date.now() - older.value).toISOString();
      const jobs = pruneEndedJobs(db, dir, cutoff);
      const runs = pruneEndedRuns(db, cutoff);
      for (const runId of runs) rmSync(join(dir, 'logs', `${runId}.log`), { force: true });
      writeLine(
        ctx.stdout,
        `removed ${String(jobs.length)} job record${jobs.length === 1 ? '' : 's'} with their logs and ${String(runs.length)} workflow run${runs.length === 1 ? '' : 's'} that ended over ${olderText ?? ''} ago`,
      );
    }
    const cleaned = await cleanUpOrphanedJobs(db);
    const strays = await pruneStrays(db, dir);
    for (const jobId of reclaimStaleLeases(db)) strays.push(`address lease of job ${jobId}`);
    reconcileRuns(db, isAlive);
    strays.push(
      ...pruneRunFiles(dir, (runId) => {
        const run = findRun(db, runId);
        return run === undefined || run.id !== runId
          ? undefined
          : run.status === 'RUNNING'
            ? 'running'
            : 'ended';
      }),
    );
    for (const job of cleaned) {
      writeLine(
        ctx.stdout,
        `job ${job.id}: cleaned up${job.problems.length ? ` (${job.problems.join('; ')})` : ''}`,
      );
    }
    for (const item of strays) writeLine(ctx.stdout, `removed ${item}`);
    if (cleaned.length + strays.length === 0) writeLine(ctx.stdout, 'nothing to clean up');
    return EXIT.ok;
  },
};

/** `7d` or a duration `parseDuration` reads (`30m`, `12h`), in milliseconds. */
function parseAge(text: string): Result<number> {
  const days = /^([0-9]{1,5})d$/.exec(text)?.[1];
  if (days !== undefined) return ok(Number(days) * 86_400_000);
  return parseDuration(text, '--older-than');
}
