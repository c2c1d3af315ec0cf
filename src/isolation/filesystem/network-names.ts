/**
 * Names across runs: every running job that has a name answers to it for the other running jobs of
 * its network, whichever rnx started them, for as long as it runs. No process per job: each job's
 * own /etc/hosts (`hosts` in its run directory, bound into its mount namespace) has two parts:
 *
 *   its own part      localhost, the job itself, its own workflow run's jobs (the engine's list)
 *   # rnx: NETWORK    then every other running named job of the network: its own run's first
 *
 * glibc reads /etc/hosts on every lookup and takes the first line that matches, so a run's own
 * names take precedence over another run's. When a named job starts or ends, the second part of
 * every running job's file on that network is rewritten in place (the file is bind-mounted: a
 * rename would not be seen through the bind). In place, carefully: the new text is padded with
 * blank lines to at least the old length and written with one pwrite(2), then the file is cut to
 * the new length, so a reader sees the old text, the new one, or the new one and blank lines;
 * never half a line. Writers are serialized by the database's write lock (BEGIN IMMEDIATE), and
 * each rewrite is computed from the jobs table, so the last writer always leaves the truth.
 * Networks whose jobs cannot reach each other (`isolated`, `none`) share no names.
 */
import { closeSync, fstatSync, ftruncateSync, openSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { transaction, type Database } from '../../state/database.js';
import { sql } from '../../state/statements.js';
import { fail, ok, type Result } from '../../problem.js';
import { insertJob, type NewJob } from '../records/job-store.js';
import type { HostEntry } from '../job-spec.js';

const MARKER = '# rnx: running jobs of network';

interface NamedJob {
  readonly id: string;
  readonly name: string | null;
  readonly runId: string | null;
  readonly address: string;
  readonly runDir: string | null;
}

/** Networks whose jobs do not reach each other: no names are shared there. */
const UNSHARED = new Set(['isolated', 'none']);

/** The marker line that starts the shared part of a job's hosts file. */
export function sharedMarker(network: string): string {
  return `${MARKER} ${network}`;
}

/** The job's own part of its hosts file, followed by the shared part's marker. */
export function withSharedPart(own: string, network: string): string {
  return `${own}${sharedMarker(network)}\n`;
}

/** The columns of a NamedJob. */
const NAMED_JOBS =
  'SELECT id, name, workflow_run_id AS runId, address, run_dir AS runDir FROM jobs';

/**
 * The jobs of `network` whose commands run: not one still being set up, which may wait for its
 * turn (a workflow's slot): a job must not find it by name, nor wait for it, before it runs.
 */
function runningJobs(db: Database, network: string): NamedJob[] {
  return sql(
    db,
    `${NAMED_JOBS} WHERE active = 1 AND status = 'RUNNING' AND network = ? AND address IS NOT NULL
       ORDER BY created_at, rowid`,
  ).all(network) as unknown as NamedJob[];
}

/** One active job of `network` with an address (none, or it), whether or not it runs yet. */
function activeJob(db: Database, network: string, id: string): NamedJob[] {
  return sql(
    db,
    `${NAMED_JOBS} WHERE id = ? AND active = 1 AND network = ? AND address IS NOT NULL`,
  ).all(id, network) as unknown as NamedJob[];
}

/**
 * The shared part for `job`: the other running named jobs, its own run's first, each name once
 * and none already in the own part (`taken`).
 */
export function sharedEntries(
  job: { readonly id: string; readonly runId: string | null },
  running: readonly {
    readonly id: string;
    readonly name: string | null;
    readonly runId: string | null;
    readonly address: string;
  }[],
  taken: ReadonlySet<string>,
): HostEntry[] {
  const seen = new Set(taken);
  const entries: HostEntry[] = [];
  const ownRunFirst = [
    ...running.filter((j) => job.runId !== null && j.runId === job.runId),
    ...running.filter((j) => job.runId === null || j.runId !== job.runId),
  ];
  for (const other of ownRunFirst) {
    if (other.id === job.id || other.name === null || seen.has(other.name)) continue;
    seen.add(other.name);
    entries.push({ name: other.name, address: other.address });
  }
  return entries;
}

/** Names on the lines of a hosts text (every word after the address). */
function namesIn(text: string): Set<string> {
  const names = new Set<string>();
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    for (const word of line.split(/\s+/).slice(1)) if (word !== '') names.add(word);
  }
  return names;
}

/**
 * Rewrites the shared part of one job's hosts file in place (see above), from its own part;
 * nothing when the file is gone or has no marker.
 */
function rewrite(path: string, network: string, sharedFor: (own: string) => HostEntry[]): void {
  let fd: number;
  try {
    fd = openSync(path, 'r+');
  } catch {
    return;
  }
  try {
    const old = readFileSync(fd, 'utf8');
    const marker = old.indexOf(sharedMarker(network));
    if (marker === -1) return;
    const own = old.slice(0, marker);
    const lines = sharedFor(own).map((e) => `${e.address}\t${e.name}\n`);
    const text = Buffer.from(`${withSharedPart(own, network)}${lines.join('')}`);
    if (text.toString('utf8') === old) return;
    const size = fstatSync(fd).size;
    const padded =
      text.length >= size ? text : Buffer.concat([text, Buffer.alloc(size - text.length, '\n')]);
    writeSync(fd, padded, 0, padded.length, 0);
    if (text.length < padded.length) ftruncateSync(fd, text.length);
  } finally {
    closeSync(fd);
  }
}

/**
 * Brings the shared part of hosts files of `network` up to date with its running jobs: every
 * running job's when `only` is absent (a named job started or ended), else just that job's (a job
 * being set up fills in its own file, whether or not it runs yet; nobody else's changes).
 */
export function refreshNetworkNames(db: Database, network: string, only?: string): void {
  if (UNSHARED.has(network)) return;
  transaction(db, () => {
    const running = runningJobs(db, network);
    const targets = only === undefined ? running : activeJob(db, network, only);
    for (const job of targets) {
      if (job.runDir === null) continue;
      rewrite(join(job.runDir, 'hosts'), network, (own) =>
        sharedEntries(job, running, namesIn(own)),
      );
    }
  });
}

/**
 * Records a new job; a single job (not of a workflow) with a name is refused while another running
 * single job of that name is on the same network (checked and recorded in one transaction).
 */
export function insertUniquelyNamed(db: Database, job: NewJob): Result<void> {
  const name = job.name;
  if (name === undefined || job.workflowRunId !== undefined || job.network === 'none') {
    insertJob(db, job);
    return ok(undefined);
  }
  return transaction(db, (): Result<void> => {
    const holder = sql(
      db,
      `SELECT id FROM jobs WHERE active = 1 AND network = ? AND name = ?
         AND workflow_run_id IS NULL LIMIT 1`,
    ).get(job.network, name) as { id: string } | undefined;
    if (holder !== undefined) {
      return fail(
        'name-taken',
        `a job named '${name}' is already running on network '${job.network}' (job ${holder.id})`,
        `pick another --name, or stop it first: rnx job stop ${holder.id}`,
      );
    }
    insertJob(db, job);
    return ok(undefined);
  });
}
