/**
 * Where rnx's own cgroups are, per controller. Job cgroups are created beneath these, never at the
 * root of a hierarchy, so whatever limits contain rnx (a systemd slice, a container) still hold.
 *
 * Read from /proc/self/cgroup (our path in each hierarchy) and /proc/self/mountinfo (where each
 * hierarchy is mounted, and which part of it the mount shows). Handles cgroup v1, pure v2, and the
 * hybrid layout of this machine (v1 controllers plus a controller-less cgroup2 used for cgroup.kill).
 */
import { readFileSync } from 'node:fs';
import { join, posix } from 'node:path';

/** The v1 controllers rnx uses. */
export const V1_CONTROLLERS = ['pids', 'memory', 'cpu', 'blkio', 'cpuset', 'cpuacct'] as const;
export type V1Controller = (typeof V1_CONTROLLERS)[number];

export interface CgroupLayout {
  /** `v1` when the resource controllers live on v1 hierarchies (even if a cgroup2 is mounted too). */
  readonly version: 'v1' | 'v2';
  /** v1: rnx's own cgroup directory per mounted controller. */
  readonly v1: Partial<Record<V1Controller, string>>;
  /** rnx's own cgroup directory in the unified (v2) hierarchy, when one is mounted. */
  readonly unified?: string;
  /** The unified hierarchy's mount point (its root cgroup). */
  readonly unifiedRoot?: string;
}

interface Mount {
  readonly root: string;
  readonly mountPoint: string;
  readonly fsType: string;
  readonly superOptions: readonly string[];
}

function unescapeMount(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_, octal: string) =>
    String.fromCharCode(parseInt(octal, 8)),
  );
}

export function parseMountInfo(text: string): Mount[] {
  const mounts: Mount[] = [];
  for (const line of text.split('\n')) {
    const fields = line.split(' ');
    const dash = fields.indexOf('-');
    if (dash < 6) continue;
    mounts.push({
      root: unescapeMount(fields[3] ?? ''),
      mountPoint: unescapeMount(fields[4] ?? ''),
      fsType: fields[dash + 1] ?? '',
      superOptions: (fields[dash + 3] ?? '').split(','),
    });
  }
  return mounts;
}

/** /proc/self/cgroup → hierarchy controllers (`memory`, `cpu,cpuacct`, `` for v2) → path. */
export function parseProcCgroup(text: string): Map<string, string> {
  const paths = new Map<string, string>();
  for (const line of text.split('\n')) {
    const match = /^\d+:([^:]*):(.*)$/.exec(line);
    if (match) paths.set(match[1] ?? '', match[2] ?? '/');
  }
  return paths;
}

/** Joins a mount point with the part of `path` below the mount's root; undefined when outside it. */
function dirUnder(mount: Mount, path: string): string | undefined {
  const rel = posix.relative(mount.root, path);
  if (rel.startsWith('..')) return undefined;
  return rel === '' ? mount.mountPoint : join(mount.mountPoint, rel);
}

export function resolveLayout(procCgroup: string, mountInfo: string): CgroupLayout {
  const paths = parseProcCgroup(procCgroup);
  const mounts = parseMountInfo(mountInfo);
  const v1: Partial<Record<V1Controller, string>> = {};
  for (const [controllers, path] of paths) {
    if (controllers === '') continue;
    const names = controllers.split(',');
    const mount = mounts.find(
      (m) => m.fsType === 'cgroup' && names.every((n) => m.superOptions.includes(n)),
    );
    if (mount === undefined) continue;
    const dir = dirUnder(mount, path);
    if (dir === undefined) continue;
    for (const name of names) {
      if ((V1_CONTROLLERS as readonly string[]).includes(name)) v1[name as V1Controller] = dir;
    }
  }
  const unifiedPath = paths.get('');
  const unifiedMount = mounts.find((m) => m.fsType === 'cgroup2');
  const unified =
    unifiedPath === undefined || unifiedMount === undefined
      ? undefined
      : dirUnder(unifiedMount, unifiedPath);
  const version = v1.pids !== undefined || v1.memory !== undefined ? 'v1' : 'v2';
  return {
    version,
    v1,
    ...(unified === undefined ? {} : { unified, unifiedRoot: unifiedMount?.mountPoint }),
  };
}

let cached: CgroupLayout | undefined;

/** rnx's own cgroup layout, read once per process. */
export function cgroupLayout(): CgroupLayout {
  cached ??= resolveLayout(
    readFileSync('/proc/self/cgroup', 'utf8'),
    readFileSync('/proc/self/mountinfo', 'utf8'),
  );
  return cached;
}
