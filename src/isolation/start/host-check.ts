/**
 * What this host offers rnx: root or the capabilities, namespaces, cgroups, and the tools (looked
 * up as src/host-tools.ts does for every spawn). Each missing piece comes with the Debian package
 * or setting that provides it. `rnx system check` prints every item; a job start asks
 * `jobRequirements(uses)` and fails with the same advice, exit 3, before anything is made.
 */
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { fail, ok, type Problem, type Result } from '../../problem.js';
import {
  checkTools,
  findTool,
  HOST_TOOLS,
  TOOL_NAMES,
  toolPath,
  USE_LABELS,
  type ToolUse,
} from '../../host-tools.js';
import { cgroupLayout, V1_CONTROLLERS } from '../cgroups/layout.js';
import { sandboxProgram, type SandboxProgram } from '../sandbox/sandbox-program.js';
import {
  ALL_CAPABILITIES,
  DEFAULT_CAPABILITIES,
  normalizeCapability,
  type Capability,
} from './capabilities.js';

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

type CapabilitySet = 'CapEff' | 'CapPrm' | 'CapBnd';
let ownSets: Record<CapabilitySet, bigint> | undefined;

/**
 * One of rnx's own capability sets. /proc/self/status is read once per process, for every set
 * (they do not change while it runs); without /proc, none.
 */
function ownCapabilities(set: CapabilitySet): bigint {
  if (ownSets === undefined) {
    let status = '';
    try {
      status = readFileSync('/proc/self/status', 'utf8');
    } catch {
      // No /proc: none.
    }
    const read = (name: CapabilitySet): bigint => {
      const hex = new RegExp(`^${name}:\\s*([0-9a-f]+)$`, 'm').exec(status)?.[1];
      return hex === undefined ? 0n : BigInt(`0x${hex}`);
    };
    ownSets = { CapEff: read('CapEff'), CapPrm: read('CapPrm'), CapBnd: read('CapBnd') };
  }
  return ownSets[set];
}

function effectiveCapabilities(): bigint {
  return ownCapabilities('CapEff');
}

/**
 * The job's capabilities as rnx can give them: only those in its own permitted and bounding sets
 * (a host or container may withhold some from root; this machine kind withholds CAP_SYS_RESOURCE),
 * since capset refuses more. `ALL` is every one rnx has, as with Docker; one named in `added`, or
 * one of the defaults, that rnx lacks is `capability-unavailable` rather than dropped.
 */
export function grantedCapabilities(
  wanted: readonly Capability[],
  added: readonly string[],
): Result<Capability[]> {
  const own = ownCapabilities('CapPrm') & ownCapabilities('CapBnd');
  const has = (cap: Capability): boolean =>
    ((own >> BigInt(ALL_CAPABILITIES.indexOf(cap))) & 1n) === 1n;
  const named = new Set(added.map(normalizeCapability));
  const withheld = wanted.filter(
    (cap) => !has(cap) && (named.has(cap) || DEFAULT_CAPABILITIES.includes(cap)),
  );
  if (withheld.length === 0) return ok(wanted.filter(has));
  const them = withheld.length === 1 ? 'it' : 'them';
  return fail(
    'capability-unavailable',
    `rnx itself lacks ${withheld.map((c) => `CAP_${c}`).join(', ')}, so no job of it can have ${them}`,
    `drop ${them} (--cap-drop ${withheld.join(',')}), or run rnx where it has ${them} (its bounding set: grep CapBnd /proc/self/status)`,
  );
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

function toolItems(): HostItem[] {
  const program = sandboxProgram();
  const withBwrap = program.ok && program.value.kind === 'bwrap';
  return TOOL_NAMES.map((tool) => {
    const info = HOST_TOOLS[tool];
    const path = findTool(tool);
    const uses: readonly ToolUse[] = info.uses;
    return {
      name: tool,
      ok: path !== undefined,
      detail:
        path ??
        `not on PATH: ${uses.map((u) => USE_LABELS[u]).join('; ')} cannot run without it (${info.why})`,
      ...(path === undefined ? { hint: `apt-get install ${info.package}` } : {}),
      requiredForJobs: uses.includes('jobs') || (withBwrap && uses.includes('bwrap-jobs')),
    };
  });
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

/** What every job needs beside its tools: privileges, namespaces, cgroups, overlayfs. */
function kernelItems(): HostItem[] {
  return [
    privilegeItem(),
    namespaceItem('pid', 'PID'),
    namespaceItem('mnt', 'mount'),
    namespaceItem('net', 'network'),
    namespaceItem('uts', 'UTS'),
    namespaceItem('ipc', 'IPC'),
    cgroupItem(),
    overlayItem(),
  ];
}

/** Which program sets up jobs (sandbox/sandbox-program.ts), and why when it is not rnx's own. */
function sandboxItem(): HostItem {
  const program = sandboxProgram();
  if (!program.ok) {
    return {
      name: 'sandbox',
      ok: false,
      detail: program.problem.message,
      ...(program.problem.hint === undefined ? {} : { hint: program.problem.hint }),
      requiredForJobs: true,
    };
  }
  const detail =
    program.value.kind === 'rnx-sandbox'
      ? `rnx-sandbox ${program.value.path}`
      : `bwrap + setpriv (${program.value.why})`;
  return { name: 'sandbox', ok: true, detail, requiredForJobs: true };
}

export function checkHost(): HostItem[] {
  return [...kernelItems(), sandboxItem(), ...toolItems()];
}

/** True when rnx has the capabilities jobs, networks and cleanup need (root, in practice). */
export function privileged(): boolean {
  return privilegeItem().ok;
}

/** What a command needs of the host before it runs (see Command.needs). */
export interface HostNeeds {
  /** Why it needs root, when it does: `it makes bridges and firewall rules`. */
  readonly root?: string;
  /** Its tools, by use (src/host-tools.ts). */
  readonly tools?: readonly ToolUse[];
}

/** `not-root` or `tool-missing` when `rnx COMMAND` cannot work on this host as this user. */
export function checkNeeds(command: string, needs: HostNeeds): Result<void> {
  if (needs.root !== undefined && !privileged()) {
    const uid = process.getuid?.() ?? -1;
    return fail(
      'not-root',
      `${command} needs root: ${needs.root} (running as uid ${String(uid)}${uid === 0 ? ' without CAP_SYS_ADMIN, CAP_NET_ADMIN or CAP_KILL' : ''})`,
      `run it as root: sudo rnx ${command} ...`,
    );
  }
  return checkTools(needs.tools ?? []);
}

export interface JobTools {
  /** What sets up the job's sandbox (sandbox/sandbox-program.ts), and its file. */
  readonly sandbox: { readonly kind: SandboxProgram['kind']; readonly path: string };
  readonly setpriv: string;
}

let basics: Result<void> | undefined;

/**
 * What a job with these uses needs (src/host-tools.ts `toolUsesOfJob`): privileges and cgroups
 * (checked once per process) and its tools; a failure carries the fix. What only the kernel can
 * answer for sure (namespaces allowed, overlayfs) is not read before every start: a start the
 * kernel refuses asks `hostProblemAfterFailedStart` why.
 */
export function jobRequirements(uses: readonly ToolUse[]): Result<JobTools> {
  basics ??= missingAsProblem([privilegeItem(), cgroupItem()]);
  if (!basics.ok) return basics;
  const program = sandboxProgram();
  if (!program.ok) return program;
  const withBwrap = program.value.kind === 'bwrap';
  const tools = checkTools(['jobs', ...(withBwrap ? (['bwrap-jobs'] as const) : []), ...uses]);
  if (!tools.ok) return tools;
  const sandbox = program.value.kind === 'bwrap' ? toolPath('bwrap') : ok(program.value.path);
  const setpriv = toolPath('setpriv');
  if (!sandbox.ok) return sandbox;
  if (!setpriv.ok) return setpriv;
  return ok({
    sandbox: { kind: program.value.kind, path: sandbox.value },
    // setpriv runs inside the job's own mounts, where a symlink on PATH (under /tmp, say) may
    // not exist: the file it points to, which the job's view of the host binds, or a runtime's.
    setpriv: realpathSync(setpriv.value),
  });
}

/**
 * After a start that failed: the `host-missing` problem (with its fix) when this host lacks what
 * every job needs (namespaces disabled, no overlayfs...), which then explains the failure better
 * than the start's own message; undefined when the host has all of it.
 */
export function hostProblemAfterFailedStart(): Problem | undefined {
  const host = missingAsProblem(kernelItems());
  return host.ok ? undefined : host.problem;
}

function missingAsProblem(items: readonly HostItem[]): Result<void> {
  const missing = items.filter((item) => !item.ok);
  const first = missing[0];
  if (first === undefined) return ok(undefined);
  return fail(
    'host-missing',
    `this host cannot run jobs: ${missing.map((m) => `${m.name} (${m.detail})`).join('; ')}`,
    `${first.hint ?? ''}${first.hint ? '; ' : ''}see 'rnx system check'`,
  );
}
