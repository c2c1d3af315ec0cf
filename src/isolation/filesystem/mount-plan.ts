/**
 * The job's filesystem as pure data: the mounts bubblewrap makes, in order, in the job's new mount
 * namespace before it pivots into the new root. No I/O here: job-filesystem.ts gathers the inputs
 * from the host, sandbox-args.ts turns the steps into bwrap's arguments (argv: no quoting, no
 * fstab, no shell).
 *
 * Host root (default): the new root is a tmpfs, made read-only at the end, on which each entry of
 * the host's / is bound read-only (recursively: mounts below are read-only too) or recreated as the
 * same symlink or, if it is an empty directory of root's, as the same empty directory, except the
 * directories the job gets its own of. So nothing of the host can be
 * changed and the host gains no directory. Runtime: the new root is the runtime's overlay (a
 * per-job writable layer over the registered tree, mounted by rnx before the start, see
 * runtime-overlay.ts). Both then get their own /proc (Docker's masked and read-only paths), the
 * host's /sys read-only (its firmware masked), a small /dev (null, zero, full, random, urandom, tty,
 * a private pts and shm, the fd links; no host device), an empty private /tmp and /run, the
 * workspace at /work, volumes at /volumes/NAME and the per-job /etc/hosts and /etc/resolv.conf.
 *
 * What a job start costs is mostly these mounts: bubblewrap reads and parses the whole
 * /proc/self/mountinfo once for every bind and every --remount-ro (bind-mount.c), so the plan
 * makes no bind that bwrap makes itself, and binds /sys (a dozen cgroup and other mounts below it
 * on most hosts) last, after the root is made read-only, so that the other steps' reads of the
 * mount table do not carry them.
 */
import { join, posix } from 'node:path';
import type { Bind } from '../job-spec.js';

export type FsStep =
  | {
      readonly kind: 'ro-bind' | 'bind' | 'dev-bind';
      readonly source: string;
      readonly target: string;
    }
  | { readonly kind: 'tmpfs'; readonly target: string; readonly mode: number }
  /** A directory made in the new root (by bwrap, root's, mode 0755 unless `mode`). */
  | { readonly kind: 'dir'; readonly target: string; readonly mode?: number }
  | { readonly kind: 'symlink'; readonly link: string; readonly target: string }
  | { readonly kind: 'proc' | 'dev' | 'remount-ro'; readonly target: string }
  | { readonly kind: 'chdir'; readonly path: string };

/** One entry of a directory on the host (the host's / or /etc). */
export interface HostEntry {
  readonly name: string;
  /**
   * `empty-directory`: a directory of root's (user and group) that was empty when the job was
   * planned. It is made in the job's root with the same mode rather than bound: it shows the same,
   * and costs bwrap no read of the mount table (/boot, /media, /srv... on many hosts).
   */
  readonly kind: 'directory' | 'empty-directory' | 'file' | 'symlink';
  /** For symlinks: what they point to. */
  readonly link?: string;
  /** For empty directories: their mode (permission bits). */
  readonly mode?: number;
}

export interface VolumeMount {
  readonly name: string;
  /** Host directory. */
  readonly path: string;
}

/** Docker's masked and read-only paths, those that exist on this kernel (found by the caller). */
export interface KernelPaths {
  /** Files shown as an empty read-only file (/dev/null bound over them). */
  readonly maskedFiles: readonly string[];
  /** Directories shown empty (a read-only tmpfs over them). */
  readonly maskedDirs: readonly string[];
  /**
   * Shown read-only by a bind of rnx's own: those bwrap's --proc does not make read-only itself
   * (see BWRAP_PROC_READONLY).
   */
  readonly readOnly: readonly string[];
}

export type JobRoot =
  | {
      readonly kind: 'host';
      /** The entries of the host's /. */
      readonly entries: readonly HostEntry[];
      /**
       * The entries of the host's /etc, when its hosts or resolv.conf is a symlink or missing: /etc
       * is then rebuilt entry by entry so that the job's own files can be bound at those names.
       */
      readonly etcEntries?: readonly HostEntry[];
    }
  | { readonly kind: 'runtime'; readonly root: string };

export interface MountPlanInput {
  readonly root: JobRoot;
  /** Host directory mounted read-write at /work: the job's workspace. */
  readonly workspace: string;
  readonly volumes: readonly VolumeMount[];
  /**
   * More host directories (a workflow's outputs and earlier jobs' artifacts): targets under /run
   * or /tmp land on their tmpfs, others are made in the root (a tmpfs, or the runtime's layer).
   */
  readonly binds?: readonly Bind[];
  /** Host directories hidden behind an empty read-only tmpfs (the state directory). */
  readonly hidden: readonly string[];
  readonly hostsFile?: string;
  readonly resolvFile?: string;
  readonly kernel: KernelPaths;
}

/** Docker's lists (moby oci/defaults.go); the caller keeps those this kernel has. */
export const DOCKER_MASKED_PATHS = [
  '/proc/asound',
  '/proc/acpi',
  '/proc/kcore',
  '/proc/keys',
  '/proc/latency_stats',
  '/proc/timer_list',
  '/proc/timer_stats',
  '/proc/sched_debug',
  '/proc/scsi',
  '/sys/firmware',
  '/sys/devices/virtual/powercap',
];
export const DOCKER_READONLY_PATHS = [
  '/proc/bus',
  '/proc/fs',
  '/proc/irq',
  '/proc/sys',
  '/proc/sysrq-trigger',
];

/**
 * What bwrap's --proc binds read-only over its new /proc by itself (bubblewrap.c,
 * cover_proc_dirs), each one only when its setup can write it (`access(W_OK)`). rnx leaves to bwrap
 * those that rnx itself can write (the same user and capabilities, the same kernel; the caller
 * checks): a second bind over them would cost one more read of the mount table and change nothing.
 * /proc/sys is the one that must stay rnx's: the kernel refuses W_OK on the sysctl directory
 * itself, so bwrap skips it, while the files below it stay writable to a root job.
 */
export const BWRAP_PROC_READONLY = ['/proc/sys', '/proc/sysrq-trigger', '/proc/irq', '/proc/bus'];

/** Where every job's command starts (its workspace). */
export const JOB_WORKDIR = '/work';

/** The directories a job gets its own of: the host's are never shown. */
export const OWN_DIRS = ['/proc', '/sys', '/dev', '/tmp', '/run', '/work', '/volumes'];

function under(path: string, dir: string): boolean {
  return path === dir || path.startsWith(dir === '/' ? '/' : `${dir}/`);
}

/** Host paths worth hiding: not under the job's own dirs, not nested in one another. */
export function outermost(paths: readonly string[], exclude: readonly string[] = []): string[] {
  const kept = [
    ...new Set(
      paths.filter((p) => p !== '/' && ![...OWN_DIRS, ...exclude].some((d) => under(p, d))),
    ),
  ].sort();
  return kept.filter((p) => !kept.some((other) => other !== p && under(p, other)));
}

/** Binds (or links) each entry of a host directory at the same place, skipping some names. */
function entriesOf(dir: string, entries: readonly HostEntry[], skip: readonly string[]): FsStep[] {
  return entries
    .filter((e) => !skip.includes(e.name))
    .map((e): FsStep => {
      const path = join(dir, e.name);
      if (e.kind === 'symlink') return { kind: 'symlink', link: e.link ?? '', target: path };
      if (e.kind === 'empty-directory') return { kind: 'dir', target: path, mode: e.mode ?? 0o755 };
      return { kind: 'ro-bind', source: path, target: path };
    });
}

export function planMounts(input: MountPlanInput): FsStep[] {
  const steps: FsStep[] = [];
  const { root } = input;
  if (root.kind === 'host') {
    const own = OWN_DIRS.map((d) => d.slice(1));
    const skip = root.etcEntries === undefined ? own : [...own, 'etc'];
    steps.push(...entriesOf('/', root.entries, skip));
    if (root.etcEntries !== undefined) {
      steps.push({ kind: 'dir', target: '/etc' });
      steps.push(...entriesOf('/etc', root.etcEntries, ['hosts', 'resolv.conf']));
    }
    steps.push(...maskDirs(outermost(input.hidden)));
  } else {
    steps.push({ kind: 'bind', source: root.root, target: '/' });
  }
  steps.push({ kind: 'proc', target: '/proc' });
  for (const path of input.kernel.readOnly.filter((p) => p.startsWith('/proc/'))) {
    steps.push({ kind: 'ro-bind', source: path, target: path });
  }
  // /dev/null over a file, as Docker does: a device needs a bind without nodev (dev-bind; bwrap's
  // --remount-ro would add nodev back). Writes to it go nowhere.
  for (const path of input.kernel.maskedFiles) {
    steps.push({ kind: 'dev-bind', source: '/dev/null', target: path });
  }
  steps.push(...maskDirs(input.kernel.maskedDirs.filter((p) => !under(p, '/sys'))));
  steps.push(
    { kind: 'dev', target: '/dev' },
    { kind: 'tmpfs', target: '/dev/shm', mode: 0o1777 },
    { kind: 'tmpfs', target: '/tmp', mode: 0o1777 },
    { kind: 'tmpfs', target: '/run', mode: 0o755 },
    { kind: 'bind', source: input.workspace, target: '/work' },
  );
  if (input.volumes.length > 0) steps.push({ kind: 'dir', target: '/volumes' });
  for (const volume of input.volumes) {
    steps.push({ kind: 'bind', source: volume.path, target: `/volumes/${volume.name}` });
  }
  // The directories above a bind's target are made first, readable by every user: bwrap would
  // make them 0700, closing /artifacts/JOB to a job that runs as another user.
  for (const dir of parentsToMake(input.binds ?? [])) steps.push({ kind: 'dir', target: dir });
  for (const b of input.binds ?? []) {
    steps.push({ kind: b.readOnly ? 'ro-bind' : 'bind', source: b.source, target: b.target });
  }
  if (input.hostsFile !== undefined) {
    steps.push({ kind: 'ro-bind', source: input.hostsFile, target: '/etc/hosts' });
  }
  if (input.resolvFile !== undefined) {
    steps.push({ kind: 'ro-bind', source: input.resolvFile, target: '/etc/resolv.conf' });
  }
  // The host's /sys last (see above): its mount point is made while the root is writable.
  if (root.kind === 'host') {
    steps.push({ kind: 'dir', target: '/sys' }, { kind: 'remount-ro', target: '/' });
  }
  steps.push(
    { kind: 'ro-bind', source: '/sys', target: '/sys' },
    ...maskDirs(input.kernel.maskedDirs.filter((p) => under(p, '/sys'))),
    { kind: 'chdir', path: JOB_WORKDIR },
  );
  return steps;
}

/** Directories shown empty and read-only. */
function maskDirs(paths: readonly string[]): FsStep[] {
  return paths.flatMap((path): FsStep[] => [
    { kind: 'tmpfs', target: path, mode: 0o755 },
    { kind: 'remount-ro', target: path },
  ]);
}

/** Directories above bind targets that the plan does not make otherwise (`/artifacts`). */
function parentsToMake(binds: readonly Bind[]): string[] {
  const dirs = new Set<string>();
  for (const b of binds) {
    for (let dir = posix.dirname(b.target); dir !== '/'; dir = posix.dirname(dir)) {
      if (!OWN_DIRS.some((own) => under(dir, own))) dirs.add(dir);
    }
  }
  return [...dirs].sort((a, b) => a.split('/').length - b.split('/').length || a.localeCompare(b));
}

/** A mode as bwrap's --perms takes it. */
function octal(mode: number): string {
  return mode.toString(8).padStart(4, '0');
}

/** bwrap's arguments for the steps, in order. */
export function fsStepArgs(steps: readonly FsStep[]): string[] {
  const args: string[] = [];
  for (const step of steps) {
    switch (step.kind) {
      case 'ro-bind':
      case 'bind':
      case 'dev-bind':
        args.push(`--${step.kind}`, step.source, step.target);
        break;
      case 'tmpfs':
        args.push('--perms', octal(step.mode), '--tmpfs', step.target);
        break;
      case 'dir':
        args.push(...(step.mode === undefined ? [] : ['--perms', octal(step.mode)]));
        args.push('--dir', step.target);
        break;
      case 'symlink':
        args.push('--symlink', step.link, step.target);
        break;
      case 'proc':
      case 'dev':
      case 'remount-ro':
        args.push(`--${step.kind}`, step.target);
        break;
      case 'chdir':
        args.push('--chdir', step.path);
        break;
    }
  }
  return args;
}

/** Adds binds after the job's own mounts, before the root is made read-only and the chdir. */
export function withExtraSteps(steps: readonly FsStep[], extra: readonly FsStep[]): FsStep[] {
  const tail = steps.findIndex(
    (s) => s.kind === 'chdir' || (s.kind === 'remount-ro' && s.target === '/'),
  );
  const at = tail === -1 ? steps.length : tail;
  return [...steps.slice(0, at), ...extra, ...steps.slice(at)];
}
