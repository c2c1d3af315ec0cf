/**
 * A workflow run's files under the state directory, next to the database:
 *
 *   runs/RUN/attempts/JOB_ID/work     the attempt's /work (its uploads, what it writes)
 *   runs/RUN/attempts/JOB_ID/out      bound at /run/rnx in the job: $RNX_OUTPUT is out/output
 *   runs/RUN/artifacts/JOB/PATH       what a completed job declared in `artifacts:`, kept
 *
 * An attempt's directory goes when it ended (its outputs are in the database by then); the
 * artifacts stay with the run until `rnx system prune` removes the run.
 */
import {
  chmodSync,
  cpSync,
  existsSync,
  globSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  statSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fail, ok, type Result } from '../problem.js';
import { asMade, spareOrRemove, takeSpare } from './spare-pool.js';

export interface AttemptFiles {
  readonly workspace?: string;
  readonly outputDir: string;
}

export function runFilesDir(stateDir: string, runId: string): string {
  return join(stateDir, 'runs', runId);
}

export function artifactsDir(stateDir: string, runId: string, job: string): string {
  return join(runFilesDir(stateDir, runId), 'artifacts', job);
}

function attemptDir(stateDir: string, runId: string, jobId: string): string {
  return join(runFilesDir(stateDir, runId), 'attempts', jobId);
}

/**
 * Makes the attempt's output folder, and its workspace when it keeps artifacts (otherwise the
 * runner's own per-job workspace serves: every directory costs about 0.5 ms to make here).
 */
export function prepareAttempt(
  stateDir: string,
  runId: string,
  jobId: string,
  withWorkspace: boolean,
): AttemptFiles {
  const dir = attemptDir(stateDir, runId, jobId);
  const files = {
    outputDir: join(dir, 'out'),
    ...(withWorkspace ? { workspace: join(dir, 'work') } : {}),
  };
  if (!withWorkspace && takeSpare(spareAttempts(stateDir), dir)) return files;
  mkdirSync(files.outputDir, { recursive: true });
  if (files.workspace !== undefined) mkdirSync(files.workspace, { mode: 0o755 });
  writeFileSync(join(files.outputDir, 'output'), '');
  // Writable whatever user the job runs as.
  chmodSync(files.outputDir, OUT_MODE);
  chmodSync(join(files.outputDir, 'output'), OUTPUT_MODE);
  return files;
}

const OUT_MODE = 0o777;
const OUTPUT_MODE = 0o666;

/**
 * Ended attempts' directories kept for the next attempts (state/spare-pool.ts): one holding only
 * its output folder with an empty $RNX_OUTPUT, as made (every directory and file made and deleted
 * costs more on an ext4 disk than the job's start itself).
 */
function spareAttempts(stateDir: string): string {
  return join(stateDir, 'spare', 'attempts');
}

/** An ended attempt's directory that can serve another: its output folder only, empty output. */
function isSpareAttempt(dir: string): boolean {
  const out = join(dir, 'out');
  const output = join(out, 'output');
  try {
    if (readdirSync(dir).join('/') !== 'out' || readdirSync(out).join('/') !== 'output') {
      return false;
    }
    if (!lstatSync(dir).isDirectory() || lstatSync(output).size !== 0) return false;
  } catch {
    return false;
  }
  return asMade(out, 'dir', OUT_MODE) && asMade(output, 'file', OUTPUT_MODE);
}

/** At most this much of $RNX_OUTPUT is read (GitHub Actions allows 1 MB of outputs a job). */
export const MAX_OUTPUT_BYTES = 1024 * 1024;

/** What the attempt wrote to $RNX_OUTPUT ('' when nothing); a problem past MAX_OUTPUT_BYTES. */
export function readOutputText(files: AttemptFiles): Result<string> {
  const path = join(files.outputDir, 'output');
  const size = statSync(path, { throwIfNoEntry: false })?.size ?? 0;
  if (size > MAX_OUTPUT_BYTES) {
    return fail(
      'output-too-large',
      `$RNX_OUTPUT holds ${String(size)} bytes, more than the ${String(MAX_OUTPUT_BYTES)} allowed`,
      'write large results to a file and keep it with artifacts:',
    );
  }
  try {
    return ok(readFileSync(path, 'utf8'));
  } catch {
    return ok('');
  }
}

/**
 * Moves what the patterns match (globs, relative to the workspace) to the job's artifacts
 * directory, keeping their paths. A pattern matching nothing is a problem naming it.
 */
export function keepArtifacts(
  files: AttemptFiles,
  into: string,
  patterns: readonly string[],
): Result<string[]> {
  const workspace = files.workspace;
  if (workspace === undefined) throw new Error('artifacts kept from an attempt without workspace');
  const kept: string[] = [];
  for (const pattern of patterns) {
    const matches = globSync(pattern, { cwd: workspace })
      .map((m) => relative(workspace, join(workspace, m)))
      .filter((m) => m !== '' && !m.startsWith('..'))
      .sort();
    if (matches.length === 0) {
      return fail('artifact-missing', `artifact '${pattern}' does not exist in /work`);
    }
    for (const path of matches) {
      if (kept.some((k) => path.startsWith(`${k}/`))) continue; // inside a directory already kept
      const from = join(workspace, path);
      if (lstatSync(from, { throwIfNoEntry: false }) === undefined) continue;
      const to = join(into, path);
      mkdirSync(dirname(to), { recursive: true, mode: 0o755 });
      rmSync(to, { recursive: true, force: true });
      renameSync(from, to);
      kept.push(path);
    }
  }
  return ok(kept);
}

/** Copies a job's kept artifacts from one run to another; returns the copy's directory, if any. */
export function copyArtifacts(
  stateDir: string,
  fromRun: string,
  toRun: string,
  job: string,
): string | undefined {
  const from = artifactsDir(stateDir, fromRun, job);
  if (!existsSync(from)) return undefined;
  const to = artifactsDir(stateDir, toRun, job);
  mkdirSync(dirname(to), { recursive: true, mode: 0o755 });
  cpSync(from, to, { recursive: true });
  return to;
}

/** Removes an ended attempt's directory, or keeps it among the spares when it can serve again. */
export async function discardAttempt(
  stateDir: string,
  runId: string,
  jobId: string,
): Promise<void> {
  const dir = attemptDir(stateDir, runId, jobId);
  await spareOrRemove(spareAttempts(stateDir), dir, isSpareAttempt(dir));
}

export interface ArtifactEntry {
  readonly job: string;
  /** Relative to the job's artifacts directory (as seen at /artifacts/JOB/PATH). */
  readonly path: string;
  readonly bytes: number;
}

/** Every file kept by the run's jobs, by job then path. */
export function listArtifacts(stateDir: string, runId: string): ArtifactEntry[] {
  const root = join(runFilesDir(stateDir, runId), 'artifacts');
  if (!existsSync(root)) return [];
  const out: ArtifactEntry[] = [];
  for (const job of readdirSync(root).sort()) {
    for (const path of walk(join(root, job))) {
      out.push({ job, path, bytes: lstatSync(join(root, job, path)).size });
    }
  }
  return out;
}

function walk(dir: string, prefix = ''): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) =>
    a.name.localeCompare(b.name),
  )) {
    const path = prefix === '' ? entry.name : `${prefix}/${entry.name}`;
    if (entry.isDirectory()) out.push(...walk(join(dir, entry.name), path));
    else out.push(path);
  }
  return out;
}

/** The run ids that have files. */
export function runsWithFiles(stateDir: string): string[] {
  const dir = join(stateDir, 'runs');
  return existsSync(dir) ? readdirSync(dir) : [];
}

/** Removes a run's attempt directories (left by a killed rnx), keeping its artifacts. */
export function removeAttempts(stateDir: string, runId: string): void {
  rmSync(join(runFilesDir(stateDir, runId), 'attempts'), { recursive: true, force: true });
}

export function removeRunFiles(stateDir: string, runId: string): void {
  rmSync(runFilesDir(stateDir, runId), { recursive: true, force: true });
}

/**
 * Files of runs that are over: attempt directories a killed rnx left (the artifacts stay with the
 * run), and everything of runs no longer recorded. Returns what it removed, in words.
 */
export function pruneRunFiles(
  stateDir: string,
  runState: (runId: string) => 'running' | 'ended' | undefined,
): string[] {
  const removed: string[] = [];
  for (const runId of runsWithFiles(stateDir)) {
    const state = runState(runId);
    if (state === 'running') continue;
    if (state === undefined) {
      removeRunFiles(stateDir, runId);
      removed.push(`files of workflow run ${runId} (no longer recorded)`);
      continue;
    }
    const attempts = join(runFilesDir(stateDir, runId), 'attempts');
    if (existsSync(attempts) && readdirSync(attempts).length > 0) {
      removeAttempts(stateDir, runId);
      removed.push(`workspaces left by workflow run ${runId}`);
    }
  }
  return removed;
}
