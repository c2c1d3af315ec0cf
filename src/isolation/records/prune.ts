/**
 * Strays under the state directory: run directories that belong to no active job (rnx killed
 * between creating one and recording its job's end). cgroups are found by job id from the records
 * (see orphans.ts): scanning the cgroup tree for `rnx-*` would also find the jobs of other rnx
 * installations with their own state directories, which are not ours to remove.
 */
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Database } from '../../state/database.js';
import { jobFilesystemDir, pruneJobFilesystems } from '../filesystem/job-filesystem.js';
import { logPathOf, removeJobFiles } from '../filesystem/job-files.js';
import { JOB_ID_PATTERN } from './job-id.js';
import { getJob } from './job-store.js';
import { timesPathOf } from '../output/log-times.js';

function entries(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

/** Removes stray run directories; returns what was removed. */
export async function pruneStrays(db: Database, stateDir: string): Promise<string[]> {
  const removed: string[] = [];
  const runRoot = join(stateDir, 'run');
  for (const id of entries(runRoot)) {
    if (getJob(db, id)?.active ?? false) continue;
    await removeJobFiles(join(runRoot, id));
    removed.push(`run directory ${join(runRoot, id)}`);
  }
  const active = (id: string): boolean => getJob(db, id)?.active ?? false;
  for (const id of await pruneJobFilesystems(db, stateDir, active)) {
    removed.push(`job filesystem ${jobFilesystemDir(stateDir, id)}`);
  }
  return removed;
}

/**
 * `rnx system prune --older-than`: the records and logs of jobs that ended before `cutoff` (an
 * ISO time). Running jobs are never touched. Returns the ids removed.
 *
 * The log removed is the one in this state directory, whatever path the record holds: a copied or
 * moved state directory records the logs of its old place, which are not this prune's to remove.
 */
export function pruneEndedJobs(db: Database, stateDir: string, cutoff: string): string[] {
  const old = db.prepare('SELECT id FROM jobs WHERE active = 0 AND ended_at < ?').all(cutoff) as {
    id: string;
  }[];
  const remove = db.prepare('DELETE FROM jobs WHERE id = ?');
  for (const { id } of old) {
    if (JOB_ID_PATTERN.test(id)) {
      const log = logPathOf(stateDir, id);
      rmSync(log, { force: true });
      rmSync(timesPathOf(log), { force: true });
    }
    remove.run(id);
  }
  return old.map((j) => j.id);
}
