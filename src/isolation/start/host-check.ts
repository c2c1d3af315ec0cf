/**
 * What this host offers rnx: root or the capabilities, namespaces, cgroups, and the tools. Each
 * missing piece comes with the Debian package or setting that provides it. `rnx system check`
 * prints every item; the runner asks `jobRequirements()` (cached) and fails a job with the same
 * advice instead of a raw error from a child process.
 */
import { accessSync, constants, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fail, ok, type Result } from '../../problem.js';
import { TOOL_PACKAGES } from '../../exec.js';
import { cgroupLayout, V1_CONTROLLERS } from '../cgroups/layout.js';

export interface HostItem {
  readonly name: string;
  readonly ok: boolean;
  readonly detail: string;
  readonly hint?: string;
  /** Jobs cannot run at all without it (others only matter for networks). */
  readonly requiredForJobs: boolean;
}

const CAPABILITIES: Readonly<Record<string, number>> = {
  CAP_SYS_ADMIN: 21,
  CAP_NET_ADMIN: 12,
  CAP_KILL: 5,
};

export function findTool(tool: string, path = process.env['PATH'] ?? ''): string | undefined {
  for (const dir of [...path.split(':'), '/usr/sbin', '/sbin', '/usr/bin', '/bin']) {
    if (dir === '') continue;
    const candidate = join(dir, tool);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // Not here.
    }
  }
  return undefined;
}

function effectiveCapabilities(): bigint {
  try {
    const hex = /^CapEff:\s*([0-9a-f]+)$/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1];
    return hex === undefined ? 0n : BigInt(`0x${hex}`);
  } catch {
    return 0n;
  }
}

function privilegeItem(): HostItem {
  const caps = effectiveCapabilities();
  const missing = Object.entries(CAPABILITIES)
    .filter(([, bit]) => ((caps >> BigInt(bit)) & 1n) === 0n)
    .map(([name]) => name);
  const root = process.getuid?.() === 0;
  return {
    name: 'privileges',
    ok: missing.length === 0,
    detail:
      missing.length === 0
        ? root
          ? 'root with the needed capabilities'
          : 'the needed capabilities'
        : `missing ${missing.join(', ')}`,
    ...(missing.length === 0 ? {} : { hint: 'run rnx as root (e.g. sudo rnx ...)' }),
    requiredForJobs: true,
  };
}

function namespaceItem(kind: string, label: string): HostItem {
  const present = existsSync(`/proc/self/ns/${kind}`);
  let limit = 1;
  try {
    const file = { pid: 'pid', mnt: 'mnt', net: 'net', uts: 'uts', ipc: 'ipc' }[kind] ?? kind;
    limit = Number(readFileSync(`/proc/sys/user/max_${file}_namespaces`, 'utf8'));
  } catch {
    // Older kernels have no limit file.
  }
  const ok1 = present && limit > 0;
  return {
    name: `${label} namespaces`,
    ok: ok1,
    detail: !present ? 'not supported by this kernel' : limit > 0 ? 'available' : 'disabled',
    ...(ok1
      ? {}
      : {
          hint: present
            ? `sysctl -w user.max_${kind}_namespaces=10000`
            : `a kernel built with CONFIG_${label.toUpperCase()}_NS`,
        }),
    requiredForJobs: true,
  };
}

function cgroupItem(): HostItem {
  const layout = cgroupLayout();
  if (layout.version === 'v1') {
    const present = V1_CONTROLLERS.filter((c) => layout.v1[c] !== undefined);
    const absent = V1_CONTROLLERS.filter((c) => layout.v1[c] === undefined);
    const kill = layout.unified !== undefined && existsSync(join(layout.unified, 'cgroup.kill'));
    return {
      name: 'cgroups',
      ok: layout.v1.pids !== undefined,
      detail: `v1 (${present.join(', ')}${absent.length ? `; missing ${absent.join(', ')}` : ''})${layout.unified ? `, cgroup2 at ${layout.unifiedRoot ?? ''}${kill ? ' with cgroup.kill' : ''}` : ''}`,
      ...(layout.v1.pids === undefined
        ? { hint: 'mount the pids controller: mount -t cgroup -o pids cgroup /sys/fs/cgroup/pids' }
        : {}),
      requiredForJobs: true,
    };
  }
  if (layout.unified === undefined) {
    return {
      name: 'cgroups',
      ok: false,
      detail: 'no cgroup hierarchy mounted',
      hint: 'mount -t cgroup2 none /sys/fs/cgroup',
      requiredForJobs: true,
    };
  }
  let controllers = '';
  try {
    controllers = readFileSync(join(layout.unified, 'cgroup.controllers'), 'utf8').trim();
  } catch {
    // Unreadable: reported as none.
  }
  return {
    name: 'cgroups',
    ok: true,
    detail: `v2 at ${layout.unified} (controllers: ${controllers || 'none'})`,
    requiredForJobs: true,
  };
}

function toolItem(tool: string, requiredForJobs: boolean, why: string): HostItem {
  const path = findTool(tool);
  const pkg = TOOL_PACKAGES[tool];
  return {
    name: tool,
    ok: path !== undefined,
    detail: path ?? `not found (${why})`,
    ...(path === undefined && pkg !== undefined ? { hint: `apt-get install ${pkg}` } : {}),
    requiredForJobs,
  };
}

/** A runtime job's root is an overlay (runtime-overlay.ts); tmpfs holds /tmp, /run, /dev. */
function overlayItem(): HostItem {
  let known: string[] = [];
  try {
    known = readFileSync('/proc/filesystems', 'utf8')
      .split('\n')
      .map((line) => line.trim().split(/\s+/).at(-1) ?? '');
  } catch {
    // No /proc: reported as missing.
  }
  const lacking = ['overlay', 'tmpfs'].filter((fs) => !known.includes(fs));
  return {
    name: 'overlayfs',
    ok: lacking.length === 0,
    detail:
      lacking.length === 0 ? 'overlay and tmpfs' : `no ${lacking.join(', ')} in /proc/filesystems`,
    ...(lacking.length === 0 ? {} : { hint: 'modprobe overlay' }),
    requiredForJobs: true,
  };
}

export function checkHost(): HostItem[] {
  return [
    privilegeItem(),
    namespaceItem('pid', 'PID'),
    namespaceItem('mnt', 'mount'),
    namespaceItem('net', 'network'),
    namespaceItem('uts', 'UTS'),
    namespaceItem('ipc', 'IPC'),
    cgroupItem(),
    toolItem('bwrap', true, "sets up each job's namespaces, filesystem and /dev in one process"),
    toolItem('setpriv', true, "sets each job's capabilities as its last step"),
    toolItem('mkfifo', true, "makes the pipes for the jobs' output"),
    overlayItem(),
    toolItem('mount', true, "mounts a runtime job's writable layer"),
    toolItem('ip', false, "wires each job's network"),
    toolItem('nsenter', false, 'enters job namespaces'),
    toolItem('nft', false, 'network isolation rules'),
  ];
}

export interface JobTools {
  readonly bwrap: string;
  readonly setpriv: string;
}

let requirements: Result<JobTools> | undefined;

/** What every job needs, checked once per process; a failure carries the fix. */
export function jobRequirements(): Result<JobTools> {
  requirements ??= computeRequirements();
  return requirements;
}

function computeRequirements(): Result<JobTools> {
  const missing = checkHost().filter((item) => item.requiredForJobs && !item.ok);
  const first = missing[0];
  if (first !== undefined) {
    return fail(
      'host-missing',
      `this host cannot run jobs: ${missing.map((m) => `${m.name} (${m.detail})`).join('; ')}`,
      `${first.hint ?? ''}${first.hint ? '; ' : ''}see 'rnx system check'`,
    );
  }
  return ok({
    bwrap: findTool('bwrap') ?? 'bwrap',
    setpriv: findTool('setpriv') ?? 'setpriv',
  });
}
