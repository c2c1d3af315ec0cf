/**
 * The job's filesystem as pure data: which mounts to make, in order, inside the job's private mount
 * namespace, before pivot_root into the new root. No I/O here; mount-script.ts turns the steps into
 * the shell lines the job's init runs, filesystem.ts gathers the inputs from the host.
 *
 * Host root (default): the new root is a read-only overlay of a small per-job skeleton (the mount
 * points /work and /volumes/NAME, on a tmpfs) above the host's root filesystem, so nothing of the
 * host can be changed and the host gains no directory. Runtime: the new root is an overlay of the
 * registered tree under a per-job writable layer on a tmpfs, so writes never reach the tree. Both
 * then get their own /proc (with /proc/sys read-only), a read-only /sys, the host's /dev with a
 * private /dev/shm, an empty private /tmp, the workspace at /work, volumes at /volumes/NAME and the
 * per-job /etc/hosts and /etc/resolv.conf. The tmpfs layers live only in the job's namespace and go
 * with it.
 */
import { join } from 'node:path';
import { fail, ok, type Result } from '../problem.js';

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
  /** Per-job host directory holding the mount points `root` and `scratch` (both existing, empty). */
  readonly jobDir: string;
  /** Host directory mounted read-write at /work: the job's workspace. */
  readonly workspace: string;
  readonly volumes: readonly VolumeMount[];
  /** A registered root filesystem; absent: the host's root, read-only. */
  readonly runtimeRoot?: string;
  /** Host mount points other than / that hold files (e.g. a separate /home), shown read-only. */
  readonly hostMounts: readonly string[];
  /** Host directories hidden behind an empty read-only tmpfs (the state directory). */
  readonly hidden: readonly string[];
  readonly hostsFile?: string;
  readonly resolvFile?: string;
}

/** Paths end up in overlayfs options, where ',' ':' and spaces have meaning. */
const SAFE_PATH = /^\/[A-Za-z0-9_./+@-]*$/;

export const JOB_ROOT = 'root';
export const JOB_SCRATCH = 'scratch';

function inside(root: string, path: string): string {
  return join(root, path);
}

/** Where the job gets its own mounts: host paths under these are replaced, not shown. */
const OWN_MOUNTS = ['/proc', '/sys', '/dev', '/tmp', '/work', '/volumes'];

function under(path: string, dir: string): boolean {
  return path === dir || path.startsWith(dir === '/' ? '/' : `${dir}/`);
}

/** Host paths worth mounting: not /, not under the job's own mounts, not nested in one another. */
export function outermost(paths: readonly string[], exclude: readonly string[] = []): string[] {
  const candidates = paths.filter(
    (p) => p !== '/' && ![...OWN_MOUNTS, ...exclude].some((dir) => under(p, dir)),
  );
  return [...new Set(candidates)]
    .filter((p) => !candidates.some((other) => other !== p && under(p, other)))
    .sort();
}

export function planMounts(input: MountPlanInput): Result<MountStep[]> {
  for (const path of [input.jobDir, input.runtimeRoot ?? '/']) {
    if (!SAFE_PATH.test(path)) {
      return fail(
        'unsafe-path',
        `path '${path}' has characters that cannot be passed to mount`,
        'use a state directory (RNX_STATE_DIR) and runtimes whose paths have no spaces, commas or colons',
      );
    }
  }
  const root = join(input.jobDir, JOB_ROOT);
  const scratch = join(input.jobDir, JOB_SCRATCH);
  const mountPoints = [
    '/work',
    '/tmp',
    '/proc',
    '/sys',
    '/dev',
    ...(input.volumes.length > 0 ? input.volumes.map((v) => `/volumes/${v.name}`) : ['/volumes']),
  ];
  const etcFiles = [
    ...(input.hostsFile === undefined ? [] : ['/etc/hosts']),
    ...(input.resolvFile === undefined ? [] : ['/etc/resolv.conf']),
  ];
  const steps: MountStep[] = [
    { kind: 'mount', type: 'tmpfs', source: 'rnx-scratch', target: scratch, options: 'mode=0755' },
  ];
  if (input.runtimeRoot === undefined) {
    // The skeleton only adds mount points; the host's root shows through, read-only.
    steps.push({ kind: 'mkdir', paths: mountPoints.map((p) => inside(scratch, p)) });
    steps.push({
      kind: 'mount',
      type: 'overlay',
      source: 'rnx-root',
      target: root,
      options: `ro,lowerdir=${scratch}:/`,
    });
    for (const mount of outermost(input.hostMounts, input.hidden)) {
      steps.push({
        kind: 'bind',
        source: mount,
        target: inside(root, mount),
        recursive: true,
        readOnly: true,
      });
    }
  } else {
    const upper = join(scratch, 'upper');
    const ovlWork = join(scratch, 'work');
    steps.push({
      kind: 'mkdir',
      paths: [
        ovlWork,
        ...mountPoints.map((p) => inside(upper, p)),
        ...(etcFiles.length > 0 ? [inside(upper, '/etc')] : []),
      ],
    });
    for (const file of etcFiles) steps.push({ kind: 'file', path: inside(upper, file) });
    steps.push({
      kind: 'mount',
      type: 'overlay',
      source: 'rnx-root',
      target: root,
      options: `lowerdir=${input.runtimeRoot},upperdir=${upper},workdir=${ovlWork}`,
    });
  }
  steps.push(
    {
      kind: 'mount',
      type: 'proc',
      source: 'proc',
      target: inside(root, '/proc'),
      options: 'nosuid,nodev,noexec',
    },
    {
      kind: 'bind',
      source: inside(root, '/proc/sys'),
      target: inside(root, '/proc/sys'),
      recursive: false,
      readOnly: true,
    },
    {
      kind: 'mount',
      type: 'sysfs',
      source: 'sysfs',
      target: inside(root, '/sys'),
      options: 'ro,nosuid,nodev,noexec',
    },
    {
      kind: 'bind',
      source: '/dev',
      target: inside(root, '/dev'),
      recursive: true,
      readOnly: false,
    },
    {
      kind: 'mount',
      type: 'tmpfs',
      source: 'rnx-shm',
      target: inside(root, '/dev/shm'),
      options: 'nosuid,nodev,mode=1777',
    },
    {
      kind: 'mount',
      type: 'tmpfs',
      source: 'rnx-tmp',
      target: inside(root, '/tmp'),
      options: 'nosuid,nodev,mode=1777',
    },
  );
  if (input.runtimeRoot === undefined) {
    for (const dir of outermost(input.hidden)) {
      steps.push({
        kind: 'mount',
        type: 'tmpfs',
        source: 'rnx-hidden',
        target: inside(root, dir),
        options: 'ro,mode=0755',
      });
    }
  }
  steps.push({
    kind: 'bind',
    source: input.workspace,
    target: inside(root, '/work'),
    recursive: false,
    readOnly: false,
  });
  for (const volume of input.volumes) {
    steps.push({
      kind: 'bind',
      source: volume.path,
      target: inside(root, `/volumes/${volume.name}`),
      recursive: false,
      readOnly: false,
    });
  }
  if (input.hostsFile !== undefined) {
    steps.push({
      kind: 'bind',
      source: input.hostsFile,
      target: inside(root, '/etc/hosts'),
      recursive: false,
      readOnly: true,
    });
  }
  if (input.resolvFile !== undefined) {
    steps.push({
      kind: 'bind',
      source: input.resolvFile,
      target: inside(root, '/etc/resolv.conf'),
      recursive: false,
      readOnly: true,
    });
  }
  steps.push({ kind: 'pivot', root }, { kind: 'chdir', path: '/work' });
  return ok(steps);
}
