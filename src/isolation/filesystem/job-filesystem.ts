/**
 * The job's filesystem, from the runner's point of view. Before the job is spawned,
 * `prepareJobFilesystem` makes the per-job directory on the host (the workspace, with the uploads
 * copied in; the mount points are shared by all jobs), records the job's use of its volumes and returns the shell lines the job's init
 * runs inside its private mount namespace (see mount-plan.ts). After the job, however it ended,
 * `releaseJobFilesystem` forgets the volume uses and removes the per-job directory. Every mount is
 * made inside the job's own mount namespace (private propagation), so none is ever left on the host.
 */
import {
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import type { Database } from '../../state/database.js';
import { fail, ok, type Result } from '../../problem.js';
import type { JobSpec } from '../job-spec.js';
import { JOB_ROOT, JOB_SCRATCH, planMounts, type VolumeMount } from './mount-plan.js';
import { renderMountSteps, standaloneScript } from './mount-script.js';
import { selfIdentity } from '../records/proc-identity.js';
import { getRuntime, runtimeNotFound } from './runtimes.js';
import { copyUploads } from './uploads.js';
import { acquireVolumes, getVolume, releaseVolumes, volumeNotFound } from './volumes.js';

export { FILESYSTEM_SETUP_EXIT } from './mount-script.js';

export interface JobFilesystem {
  readonly jobId: string;
  /** Per-job host directory, removed by releaseJobFilesystem. */
  readonly jobDir: string;
  /** Host directory that the job sees as /work. */
  readonly workspace: string;
  /**
   * Shell lines for the job's init, one command each (mounts, pivot_root, cd /work), to run in its
   * mount namespace before the go signal; the caller reports a failing line and exits.
   */
  readonly lines: readonly string[];
  /** The same lines as a script that exits FILESYSTEM_SETUP_EXIT at the first failure. */
  readonly script: string;
}

export interface FilesystemFiles {
  /** Per-job /etc/hosts and /etc/resolv.conf on the host, bound read-only into the job. */
  readonly hostsFile?: string;
  readonly resolvFile?: string;
}

export function jobFilesystemDir(stateDir: string, jobId: string): string {
  return join(stateDir, 'fs', jobId);
}

/**
 * The mount points every job's init mounts its root on (`<state>/mnt/root`, `<state>/mnt/scratch`):
 * the mounts exist only in each job's private mount namespace, so all jobs share them, and a job
 * costs no directory of its own for them (directories on disk cost up to 0.5 ms each here).
 */
function sharedMountDir(stateDir: string): string {
  const dir = join(stateDir, 'mnt');
  for (const sub of [JOB_ROOT, JOB_SCRATCH]) {
    if (!existsSync(join(dir, sub))) mkdirSync(join(dir, sub), { recursive: true, mode: 0o755 });
  }
  return dir;
}

/** Mount points of the calling process's mount namespace, decoded (\040 is a space). */
export function mountPoints(mountinfo = '/proc/self/mountinfo'): string[] {
  return readFileSync(mountinfo, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) =>
      (line.split(' ')[4] ?? '').replace(/\\([0-7]{3})/g, (_, oct: string) =>
        String.fromCharCode(parseInt(oct, 8)),
      ),
    );
}

/** Whether the host's /etc/hosts or resolv.conf cannot simply be mounted over (symlink, missing). */
function etcNeedsShadow(): boolean {
  return ['/etc/hosts', '/etc/resolv.conf'].some(
    (path) => lstatSync(path, { throwIfNoEntry: false })?.isFile() !== true,
  );
}

/** The job's runtime and volumes exist: checked before the job is recorded, so a typo starts nothing. */
export function checkFilesystemNames(db: Database, stateDir: string, spec: JobSpec): Result<void> {
  if (spec.runtime !== undefined && getRuntime(db, spec.runtime) === undefined) {
    return runtimeNotFound(db, spec.runtime);
  }
  const missing = (spec.volumes ?? []).find((name) => getVolume(db, stateDir, name) === undefined);
  return missing === undefined ? ok(undefined) : volumeNotFound(db, missing);
}

export function prepareJobFilesystem(
  db: Database,
  stateDir: string,
  spec: JobSpec,
  files: FilesystemFiles = {},
): Result<JobFilesystem> {
  let runtimeRoot: string | undefined;
  if (spec.runtime !== undefined) {
    const runtime = getRuntime(db, spec.runtime);
    if (runtime === undefined) return runtimeNotFound(db, spec.runtime);
    if (!existsSync(runtime.root)) {
      return fail(
        'runtime-missing',
        `runtime '${runtime.name}': directory ${runtime.root} is gone`,
      );
    }
    runtimeRoot = runtime.root;
  }
  const jobDir = jobFilesystemDir(stateDir, spec.id);
  const workspace = spec.workspace ?? join(jobDir, 'work');
  const mountDir = sharedMountDir(stateDir);
  mkdirSync(jobDir, { recursive: true, mode: 0o755 });
  mkdirSync(workspace, { recursive: spec.workspace !== undefined, mode: 0o755 });
  const names = [...new Set(spec.volumes ?? [])];
  const acquired = acquireVolumes(db, stateDir, spec.id, names, selfIdentity());
  if (!acquired.ok) {
    rmSync(jobDir, { recursive: true, force: true });
    return acquired;
  }
  const undo = (): void => {
    releaseVolumes(db, spec.id);
    rmSync(jobDir, { recursive: true, force: true });
  };
  const copied = copyUploads(spec.uploads ?? { files: [], directories: [] }, workspace);
  if (!copied.ok) {
    undo();
    return copied;
  }
  const volumes: VolumeMount[] = names.map((name, i) => ({ name, path: acquired.value[i] ?? '' }));
  const plan = planMounts({
    mountDir,
    workspace,
    volumes,
    binds: spec.binds ?? [],
    ...(runtimeRoot === undefined ? {} : { runtimeRoot }),
    hostMounts: mountPoints(),
    hidden: [stateDir],
    ...files,
    shadowEtc: runtimeRoot === undefined && etcNeedsShadow(),
  });
  if (!plan.ok) {
    undo();
    return plan;
  }
  const init = renderMountSteps(plan.value, (i) => join(jobDir, `fstab-${String(i)}`));
  for (const file of init.files) writeFileSync(file.path, file.content);
  return ok({
    jobId: spec.id,
    jobDir,
    workspace,
    lines: init.lines,
    script: standaloneScript(init),
  });
}

/**
 * Forgets the job's volume uses and removes its per-job directory. Refuses to delete anything
 * while a mount sits under the directory in this namespace (that would reach into a volume).
 */
export function releaseJobFilesystem(db: Database, stateDir: string, jobId: string): Result<void> {
  releaseVolumes(db, jobId);
  const jobDir = jobFilesystemDir(stateDir, jobId);
  const mounted = mountPoints().filter((p) => p === jobDir || p.startsWith(`${jobDir}/`));
  if (mounted.length > 0) {
    return fail('mount-left', `not removing ${jobDir}: still mounted at ${mounted.join(', ')}`);
  }
  rmSync(jobDir, { recursive: true, force: true });
  return ok(undefined);
}

/** Removes per-job directories of jobs that are no longer running (after a killed rnx). */
export function pruneJobFilesystems(
  db: Database,
  stateDir: string,
  running: (jobId: string) => boolean,
): string[] {
  const dir = join(stateDir, 'fs');
  if (!existsSync(dir)) return [];
  const removed: string[] = [];
  for (const jobId of readdirSync(dir)) {
    if (running(jobId)) continue;
    if (releaseJobFilesystem(db, stateDir, jobId).ok) removed.push(jobId);
  }
  return removed;
}
