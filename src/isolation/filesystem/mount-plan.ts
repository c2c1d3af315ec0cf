/**
 * The job's filesystem as pure data: which mounts to make, in order, inside the job's private mount
 * namespace, before pivot_root into the new root. No I/O here; mount-script.ts turns the steps into
 * the shell lines the job's init runs, job-filesystem.ts gathers the inputs from the host.
 *
 * Host root (default): the new root is a read-only overlay of a small per-job skeleton (the mount
 * points /work and /volumes/NAME, on a tmpfs) above the host's root filesystem, so nothing of the
 * host can be changed and the host gains no directory. Runtime: the new root is an overlay of the
 * registered tree under a per-job writable layer on a tmpfs, so writes never reach the tree. Both
 * then get their own /proc (with /proc/sys read-only), a read-only /sys, the host's /dev with a
 * private /dev/shm, an empty private /tmp and /run, the workspace at /work, volumes at /volumes/NAME and the
 * per-job /etc/hosts and /etc/resolv.conf. The tmpfs layers live only in the job's namespace and go
 * with it.
 */
import { join } from 'node:path';
import { fail, ok, type Result } from '../../problem.js';
import type { Bind } from '../job-spec.js';

export type MountStep =
  | {
      readonly kind: 'mount';
      readonly type: string;
      readonly source: string;
      readonly target: string;
      readonly options: string;
    }
  | {
      readonly kind: 'bind';
      readonly source: string;
      readonly target: string;
      readonly recursive: boolean;
      readonly readOnly: boolean;
      /** Create the target directory first (mount's X-mount.mkdir). */
      readonly makeTarget?: boolean;
    }
  | { readonly kind: 'mkdir'; readonly paths: readonly string[] }
  /** An empty file to mount over (runtime roots may lack /etc/hosts). */
  | { readonly kind: 'file'; readonly path: string }
  /** cd into the root, pivot_root . . and detach the old root (the host's) from the namespace. */
  | { readonly kind: 'pivot'; readonly root: string }
  | { readonly kind: 'chdir'; readonly path: string };

export interface VolumeMount {
  readonly name: string;
  /** Host directory. */
  readonly path: string;
}

export interface MountPlanInput {
  /**
   * Host directory holding the mount points `root` and `scratch` (both existing, empty). Every job
   * mounts on them in its own private mount namespace, so all jobs share one (made once).
   */
  readonly mountDir: string;
  /** Host directory mounted read-write at /work: the job's workspace. */
  readonly workspace: string;
  readonly volumes: readonly VolumeMount[];
  /** More host directories: targets under /run or /tmp are made on their tmpfs, others in the root's top layer. */
  readonly binds?: readonly Bind[];
  /** A registered root filesystem; absent: the host's root, read-only. */
  readonly runtimeRoot?: string;
  /** Host mount points other than / that hold files (e.g. a separate /home), shown read-only. */
  readonly hostMounts: readonly string[];
  /** Host directories hidden behind an empty read-only tmpfs (the state directory). */
  readonly hidden: readonly string[];
  readonly hostsFile?: string;
  readonly resolvFile?: string;
  /**
   * The host's /etc/hosts or /etc/resolv.conf is a symlink (e.g. into /run, which the job gets
   * empty) or missing: put regular files above them in the skeleton to bind onto.
   */
  readonly shadowEtc?: boolean;
}

/** Paths end up in overlayfs options, where ',' ':' and spaces have meaning. */
const SAFE_PATH = /^\/[A-Za-z0-9_./+@-]*$/;

export const JOB_ROOT = 'root';
export const JOB_SCRATCH = 'scratch';

/** Where the job gets its own mounts: host paths under these are replaced, not shown. */
const OWN_MOUNTS = ['/proc', '/sys', '/dev', '/tmp', '/run', '/work', '/volumes'];

function under(path: string, dir: string): boolean {
  return path === dir || path.startsWith(dir === '/' ? '/' : `${dir}/`);
}

/** Host paths worth mounting: not /, not under the job's own mounts, not nested in one another. */
export function outermost(paths: readonly string[], exclude: readonly string[] = []): string[] {
  const candidates = shown(paths, exclude);
  return candidates.filter((p) => !candidates.some((other) => other !== p && under(p, other)));
}

/** Host mount points the job sees (sorted, so parents come before what is mounted below them). */
function shown(paths: readonly string[], exclude: readonly string[]): string[] {
  const kept = paths.filter(
    (p) => p !== '/' && ![...OWN_MOUNTS, ...exclude].some((dir) => under(p, dir)),
  );
  return [...new Set(kept)].sort();
}

function mount(type: string, source: string, target: string, options: string): MountStep {
  return { kind: 'mount', type, source, target, options };
}

function bind(
  source: string,
  target: string,
  mode: 'rw' | 'ro' | 'rbind' | 'rbind-ro',
  makeTarget = false,
): MountStep {
  return {
    kind: 'bind',
    source,
    target,
    recursive: mode.startsWith('rbind'),
    readOnly: mode.endsWith('ro'),
    ...(makeTarget ? { makeTarget } : {}),
  };
}

export function planMounts(input: MountPlanInput): Result<MountStep[]> {
  for (const path of [input.mountDir, input.runtimeRoot ?? '/']) {
    if (!SAFE_PATH.test(path)) {
      return fail(
        'unsafe-path',
        `path '${path}' has characters that cannot be passed to mount`,
        'use a state directory (RNX_STATE_DIR) and runtimes whose paths have no spaces, commas or colons',
      );
    }
  }
  const root = join(input.mountDir, JOB_ROOT);
  const scratch = join(input.mountDir, JOB_SCRATCH);
  const at = (path: string): string => join(root, path);
  const volumeDirs = input.volumes.map((v) => `/volumes/${v.name}`);
  const binds = input.binds ?? [];
  const onTmpfs = (b: Bind): boolean => /^\/(run|tmp)\//.test(b.target);
  const bindDirs = binds.filter((b) => !onTmpfs(b)).map((b) => b.target);
  const mountPoints = [
    ...['/work', '/tmp', '/run', '/proc', '/sys', '/dev', '/volumes', ...volumeDirs],
    ...bindDirs,
  ];
  const etcFiles = [
    ...(input.hostsFile === undefined ? [] : [{ path: '/etc/hosts', source: input.hostsFile }]),
    ...(input.resolvFile === undefined
      ? []
      : [{ path: '/etc/resolv.conf', source: input.resolvFile }]),
  ];
  // The top layer of the root (a tmpfs) holds the mount points, so neither the host nor the
  // registered runtime gains a directory.
  const steps: MountStep[] = [mount('tmpfs', 'rnx-scratch', scratch, 'mode=0755')];
  if (input.runtimeRoot === undefined && input.shadowEtc !== true) {
    // Mount points made by binds that create their target (X-mount.mkdir), so that this whole
    // plan is one run of mounts: one `mount -a` process. The binds stay below the overlay, unseen.
    // Only leaves: a bind on /volumes would take in the creation of /volumes/NAME.
    const leaves = mountPoints.filter((p) => !mountPoints.some((q) => q.startsWith(`${p}/`)));
    for (const p of leaves) steps.push(bind(scratch, join(scratch, p), 'rw', true));
  } else {
    // Directories and files made in the top layer: the skeleton, or the runtime's upper layer.
    const top = input.runtimeRoot === undefined ? scratch : join(scratch, 'upper');
    steps.push({
      kind: 'mkdir',
      paths: [
        ...(input.runtimeRoot === undefined ? [] : [join(scratch, 'work')]),
        ...mountPoints.map((p) => join(top, p)),
        ...(etcFiles.length > 0 ? [join(top, '/etc')] : []),
      ],
    });
    for (const f of etcFiles) steps.push({ kind: 'file', path: join(top, f.path) });
  }
  if (input.runtimeRoot === undefined) {
    // Read-only overlay, no upper layer: the host's root shows through and cannot be changed.
    steps.push(mount('overlay', 'rnx-root', root, `ro,lowerdir=${scratch}:/`));
    // A recursive bind makes only its top read-only: remount what is mounted below it too.
    const outer = outermost(input.hostMounts, input.hidden);
    for (const dir of outer) steps.push(bind(dir, at(dir), 'rbind-ro'));
    for (const dir of shown(input.hostMounts, input.hidden)) {
      if (!outer.includes(dir)) steps.push(bind(at(dir), at(dir), 'ro'));
    }
  } else {
    // Writes land in the per-job upper layer on the tmpfs, never in the registered tree.
    const upper = join(scratch, 'upper');
    const options = `lowerdir=${input.runtimeRoot},upperdir=${upper},workdir=${join(scratch, 'work')}`;
    steps.push(mount('overlay', 'rnx-root', root, options));
  }
  steps.push(
    mount('proc', 'proc', at('/proc'), 'nosuid,nodev,noexec'),
    bind(at('/proc/sys'), at('/proc/sys'), 'ro'),
    mount('sysfs', 'sysfs', at('/sys'), 'ro,nosuid,nodev,noexec'),
    bind('/dev', at('/dev'), 'rbind'),
    mount('tmpfs', 'rnx-shm', at('/dev/shm'), 'nosuid,nodev,mode=1777'),
    mount('tmpfs', 'rnx-tmp', at('/tmp'), 'nosuid,nodev,mode=1777'),
    mount('tmpfs', 'rnx-run', at('/run'), 'nosuid,nodev,mode=0755'),
  );
  if (input.runtimeRoot === undefined) {
    for (const dir of outermost(input.hidden))
      steps.push(mount('tmpfs', 'rnx-hidden', at(dir), 'ro,mode=0755'));
  }
  steps.push(bind(input.workspace, at('/work'), 'rw'));
  input.volumes.forEach((volume, i) =>
    steps.push(bind(volume.path, at(volumeDirs[i] ?? ''), 'rw')),
  );
  for (const b of binds)
    steps.push(bind(b.source, at(b.target), b.readOnly ? 'ro' : 'rw', onTmpfs(b)));
  for (const file of etcFiles) steps.push(bind(file.source, at(file.path), 'ro'));
  steps.push({ kind: 'pivot', root }, { kind: 'chdir', path: '/work' });
  return ok(steps);
}
