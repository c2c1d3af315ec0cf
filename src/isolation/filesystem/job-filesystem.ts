/**
 * The job's filesystem, from the runner's point of view. Before the job is spawned,
 * `prepareJobFilesystem` makes the per-job directory on the host (the workspace, with the uploads
 * copied in), records the job's use of its volumes, mounts a runtime's writable layer
 * (runtime-overlay.ts) and returns the mount steps bubblewrap makes in the job's own mount
 * namespace (see mount-plan.ts). After the job, however it ended, `releaseJobFilesystem` forgets
 * the volume uses, unmounts a runtime's layer and removes the per-job directory. Every other mount
 * lives only in the job's mount namespace, so none is ever left on the host.
 */
import {
  accessSync,
  constants,
  existsSync,
  lstatSync,
  readdirSync,
  readFileSync,
  rmSync,
} from 'node:fs';
import { mkdir } from '../../async-fs.js';
import { hostEntries } from './host-entries.js';
import { join } from 'node:path';
import { asMade, spareOrRemove, takeSpare } from '../../state/spare-pool.js';
import type { Database } from '../../state/database.js';
import { fail, ok, type Result } from '../../problem.js';
import type { Bind, JobSpec } from '../job-spec.js';
import {
  BWRAP_PROC_READONLY,
  DOCKER_MASKED_PATHS,
  DOCKER_READONLY_PATHS,
  planMounts,
  type FsStep,
  type KernelPaths,
  type VolumeMount,
} from './mount-plan.js';
import { mountRuntimeOverlay, overlayRoot, unmountRuntimeOverlay } from './runtime-overlay.js';
import { selfIdentity } from '../records/proc-identity.js';
import type { JobView } from './in-root.js';
import { getRuntime, runtimeNotFound } from './runtimes.js';
import { chownTree, claimIfEmpty, type Owner } from './ownership.js';
import { copyUploads } from './uploads.js';
import { acquireVolumes, getVolume, releaseVolumes, volumeNotFound } from './volumes.js';

export interface JobFilesystem {
  readonly jobId: string;
  /** Per-job host directory, removed by releaseJobFilesystem. */
  readonly jobDir: string;
  /** Host directory that the job sees as /work. */
  readonly workspace: string;
  /** What bubblewrap mounts, in order, in the job's mount namespace. */
  readonly steps: readonly FsStep[];
  /** The job's paths on the host, to look its command up before the start. */
  readonly view: JobView;
  /** The job's root is the host's (not a runtime's). */
  readonly hostRoot: boolean;
}

export interface FilesystemFiles {
  /** Per-job /etc/hosts and /etc/resolv.conf on the host, bound read-only into the job. */
  readonly hostsFile?: string;
  readonly resolvFile?: string;
  /**
   * The job's user, when it is not root: its workspace and writable binds are made its own, and
   * so is an empty volume still owned by root (see ownership.ts).
   */
  readonly owner?: Owner;
}

export function jobFilesystemDir(stateDir: string, jobId: string): string {
  return join(stateDir, 'fs', jobId);
}

/**
 * Ended jobs' directories kept for the next jobs (state/spare-pool.ts): a host-root job's
 * directory holding nothing but its empty workspace, as it was made.
 */
function spareJobDirs(stateDir: string): string {
  return join(stateDir, 'spare', 'fs');
}

/** The mode of a job's directory and workspace. */
const DIR_MODE = 0o755;

/** Whether an ended job's directory is only its empty workspace, as made. */
function isSpare(jobDir: string): boolean {
  const work = join(jobDir, 'work');
  try {
    if (readdirSync(jobDir).join('/') !== 'work' || readdirSync(work).length > 0) return false;
  } catch {
    return false;
  }
  return asMade(jobDir, 'dir', DIR_MODE) && asMade(work, 'dir', DIR_MODE);
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

let kernel: KernelPaths | undefined;

/** Whether this process may write the path (access W_OK: its user and capabilities). */
function writable(path: string): boolean {
  try {
    accessSync(path, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Docker's masked and read-only paths that this kernel has (the same for every job); of the
 * read-only ones, those bwrap's --proc does not make read-only itself when it can write them,
 * which rnx, with the same user and capabilities, checks here the way bwrap does.
 */
export function kernelPaths(): KernelPaths {
  kernel ??= (() => {
    const kind = (p: string): 'file' | 'dir' | undefined => {
      const st = lstatSync(p, { throwIfNoEntry: false });
      return st === undefined ? undefined : st.isDirectory() ? 'dir' : 'file';
    };
    return {
      maskedFiles: DOCKER_MASKED_PATHS.filter((p) => kind(p) === 'file'),
      maskedDirs: DOCKER_MASKED_PATHS.filter((p) => kind(p) === 'dir'),
      readOnly: DOCKER_READONLY_PATHS.filter(
        (p) => kind(p) !== undefined && !(BWRAP_PROC_READONLY.includes(p) && writable(p)),
      ),
    };
  })();
  return kernel;
}

export async function prepareJobFilesystem(
  db: Database,
  stateDir: string,
  spec: JobSpec,
  files: FilesystemFiles = {},
): Promise<Result<JobFilesystem>> {
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
  // A workflow may give the job a workspace of its own making (it keeps artifacts from it).
  const workspace = spec.workspace ?? join(jobDir, 'work');
  const spare = spec.workspace === undefined && runtimeRoot === undefined;
  if (!spare || !takeSpare(spareJobDirs(stateDir), jobDir, DIR_MODE)) {
    // Off rnx's thread: on a busy disk a mkdir waits for its parent directory, which the removal
    // of an ended job's directory (end/removals.ts) may hold.
    await mkdir(jobDir, { recursive: true, mode: DIR_MODE });
    await mkdir(workspace, { recursive: spec.workspace !== undefined, mode: DIR_MODE });
  }
  const names = [...new Set(spec.volumes ?? [])];
  const acquired = acquireVolumes(db, stateDir, spec.id, names, selfIdentity());
  if (!acquired.ok) {
    rmSync(jobDir, { recursive: true, force: true });
    return acquired;
  }
  const undo = async <T>(problem: Result<T>): Promise<Result<T>> => {
    await releaseJobFilesystem(db, stateDir, spec.id);
    return problem;
  };
  const copied = copyUploads(spec.uploads ?? { files: [], directories: [] }, workspace);
  if (!copied.ok) return undo(copied);
  const volumes: VolumeMount[] = names.map((name, i) => ({ name, path: acquired.value[i] ?? '' }));
  const { owner, ...mountFiles } = files;
  if (owner !== undefined) {
    const owned = handOver(owner, workspace, volumes, spec.binds ?? []);
    if (!owned.ok) return undo(owned);
  }
  let root: Parameters<typeof planMounts>[0]['root'];
  if (runtimeRoot === undefined) {
    root = {
      kind: 'host',
      entries: hostEntries('/'),
      ...(etcNeedsShadow() ? { etcEntries: hostEntries('/etc') } : {}),
    };
  } else {
    const mounted = await mountRuntimeOverlay(runtimeRoot, jobDir);
    if (!mounted.ok) return undo(mounted);
    root = { kind: 'runtime', root: mounted.value };
  }
  const steps = planMounts({
    root,
    workspace,
    volumes,
    binds: spec.binds ?? [],
    hidden: [stateDir],
    ...mountFiles,
    kernel: kernelPaths(),
  });
  const view: JobView = {
    root: root.kind === 'host' ? '/' : root.root,
    binds: new Map([
      ['/work', workspace],
      ...volumes.map((v): [string, string] => [`/volumes/${v.name}`, v.path]),
      ...(spec.binds ?? []).map((b): [string, string] => [b.target, b.source]),
    ]),
    empty: ['/tmp', '/run'],
    opaque: ['/proc', '/sys', '/dev'],
  };
  return ok({ jobId: spec.id, jobDir, workspace, steps, view, hostRoot: root.kind === 'host' });
}

/** What a job running as `owner` writes becomes its own before the start. */
function handOver(
  owner: Owner,
  workspace: string,
  volumes: readonly VolumeMount[],
  binds: readonly Bind[],
): Result<void> {
  for (const dir of [workspace, ...binds.filter((b) => !b.readOnly).map((b) => b.source)]) {
    const owned = chownTree(dir, owner);
    if (!owned.ok) return owned;
  }
  for (const volume of volumes) {
    const claimed = claimIfEmpty(volume.path, owner);
    if (!claimed.ok) return claimed;
  }
  return ok(undefined);
}

/**
 * Forgets the job's volume uses, unmounts a runtime's writable layer and removes the per-job
 * directory. Refuses to delete anything while another mount sits under the directory in this
 * namespace (that would reach into a volume).
 */
export async function releaseJobFilesystem(
  db: Database,
  stateDir: string,
  jobId: string,
): Promise<Result<void>> {
  releaseVolumes(db, jobId);
  const jobDir = jobFilesystemDir(stateDir, jobId);
  const under = (): string[] =>
    mountPoints().filter((p) => p === jobDir || p.startsWith(`${jobDir}/`));
  let mounted = under();
  if (mounted.includes(overlayRoot(jobDir))) {
    const unmounted = await unmountRuntimeOverlay(jobDir);
    if (!unmounted.ok) return unmounted;
    mounted = under();
  }
  if (mounted.length > 0) {
    return fail('mount-left', `not removing ${jobDir}: still mounted at ${mounted.join(', ')}`);
  }
  // Off rnx's thread: removing a workspace on an ext4 disk can take milliseconds.
  await spareOrRemove(spareJobDirs(stateDir), jobDir, isSpare(jobDir));
  return ok(undefined);
}

/** Removes per-job directories of jobs that are no longer running (after a killed rnx). */
export async function pruneJobFilesystems(
  db: Database,
  stateDir: string,
  running: (jobId: string) => boolean,
): Promise<string[]> {
  const dir = join(stateDir, 'fs');
  if (!existsSync(dir)) return [];
  const removed: string[] = [];
  for (const jobId of readdirSync(dir)) {
    if (running(jobId)) continue;
    if ((await releaseJobFilesystem(db, stateDir, jobId)).ok) removed.push(jobId);
  }
  return removed;
}
