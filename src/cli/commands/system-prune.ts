/**
 * `rnx system prune`: removes what killed rnx runs left behind (processes, cgroups, network wiring,
 * leases, run directories), and stray rnx cgroups and run directories no live job owns. Jobs of
 * live rnx processes are never touched.
 */
import { findRun, reconcileRuns } from '../../engine/records.js';
import { isAlive } from '../../isolation/records/proc-identity.js';
import { openDatabase, stateDir } from '../../state/database.js';
import { pruneRunFiles } from '../../state/run-files.js';
import { pruneStrays } from '../../isolation/records/prune.js';
import { reclaimStaleLeases } from '../../networks/index.js';
import { cleanUpOrphanedJobs } from '../../isolation/records/orphans.js';
import type { Command } from '../context.js';
import { EXIT } from '../context.js';
import { writeLine } from '../print.js';

export const command: Command = {
  path: 'system prune',
  usage: 'rnx system prune',
  summary: 'Remove what killed rnx runs left behind: processes, cgroups, leases, veths, files',
  options: {},
  async run(ctx) {
    const dir = stateDir(ctx.env);
    const db = openDatabase(dir);
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
