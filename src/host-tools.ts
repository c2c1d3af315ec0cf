/**
 * The host tools rnx runs: one table of each tool, the Debian package that provides it and what
 * needs it, and one lookup. `rnx system check`, the checks before a command or a job starts, and
 * every spawn of a tool (src/exec.ts) find a tool the same way: the first executable of that name
 * in a directory of PATH, as a shell finds it, and run it by that absolute path. So a tool that
 * `system check` reports found is the one a job runs, and one it reports missing fails every user
 * of it the same way: `tool-missing` (exit 3) naming the tool and its Debian package.
 */
import { accessSync, constants, statSync } from 'node:fs';
import { join } from 'node:path';
import { ok, type Problem, type Result } from './problem.js';

/** What a tool is needed for; a command or a job needs the tools of each of its uses. */
export type ToolUse =
  'jobs' | 'bwrap-jobs' | 'networks' | 'job-networks' | 'runtimes' | 'probes' | 'background';

/** Who has each use, as `rnx system check` says it. */
export const USE_LABELS: Readonly<Record<ToolUse, string>> = {
  jobs: 'every job',
  'bwrap-jobs':
    'every job when bwrap sets jobs up (RNX_SANDBOX=bwrap, or rnx-sandbox cannot run here)',
  networks: 'network create/remove and jobs on a network other than none',
  'job-networks': 'jobs on a network other than none',
  runtimes: 'jobs with a runtime',
  probes: 'ready: exec, tcp and http probes',
  background: 'background jobs (job run -d)',
};

interface ToolInfo {
  /** The Debian package that provides it. */
  readonly package: string;
  readonly uses: readonly ToolUse[];
  /** What rnx does with it, for `rnx system check`. */
  readonly why: string;
}

export const HOST_TOOLS = {
  bwrap: {
    package: 'bubblewrap',
    uses: ['bwrap-jobs'],
    why: "sets up each job's namespaces, filesystem and /dev in one process",
  },
  setpriv: {
    package: 'util-linux',
    uses: ['jobs'],
    why: 'sets the capabilities (and user) of what rnx runs in a job: its command after bwrap, its exec probes',
  },
  mkfifo: { package: 'coreutils', uses: ['jobs'], why: "makes the pipes for the jobs' output" },
  mount: { package: 'mount', uses: ['runtimes'], why: "mounts a runtime job's writable layer" },
  umount: { package: 'mount', uses: ['runtimes'], why: "unmounts a runtime job's writable layer" },
  ip: {
    package: 'iproute2',
    uses: ['networks'],
    why: "makes bridges and wires each job's network",
  },
  nsenter: {
    package: 'util-linux',
    uses: ['job-networks', 'probes'],
    why: "enters a job's namespaces (its network set-up, readiness probes)",
  },
  nft: { package: 'nftables', uses: ['networks'], why: "networks' isolation and NAT rules" },
  sh: {
    package: 'dash',
    uses: ['job-networks', 'probes', 'background'],
    why: "waits for a job's pid to set up its network; holds an exec probe until it is in the job's cgroups; runs a background job's supervisor",
  },
  env: { package: 'coreutils', uses: ['background'], why: "starts a background job's end" },
  cat: {
    package: 'coreutils',
    uses: ['background'],
    why: "appends a background job's output to its log",
  },
  sed: { package: 'sed', uses: ['background'], why: "masks secrets in a background job's log" },
  setsid: {
    package: 'util-linux',
    uses: ['background'],
    why: "keeps a background job's timer out of its process group",
  },
  sleep: { package: 'coreutils', uses: ['background'], why: "times a background job's timeout" },
} as const satisfies Record<string, ToolInfo>;

export type HostTool = keyof typeof HOST_TOOLS;

export const TOOL_NAMES = Object.keys(HOST_TOOLS) as HostTool[];

function executableFile(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** Tools found, by PATH and name: a job start looks up several, a workflow many times over. */
const found = new Map<string, string>();

/**
 * The absolute path of `tool`: the first executable file of that name in a directory of `path`.
 * What was found is remembered (a tool removed since fails its spawn with ENOENT, reported the
 * same way); what was not is looked for again next time.
 */
export function findTool(tool: HostTool, path = process.env['PATH'] ?? ''): string | undefined {
  const key = `${path}\0${tool}`;
  const known = found.get(key);
  if (known !== undefined) return known;
  const first = searchPath(tool, path);
  if (first !== undefined) found.set(key, first);
  return first;
}

function searchPath(tool: string, path: string): string | undefined {
  for (const dir of path.split(':')) {
    // An empty entry or a relative one would depend on the working directory: a shell's quirk
    // that rnx, which runs as root, does not copy.
    if (!dir.startsWith('/')) continue;
    const candidate = join(dir, tool);
    if (executableFile(candidate)) return candidate;
  }
  return undefined;
}

/** `tool-missing` for these tools: each named with its package, one `apt-get install` line. */
export function missingTools(tools: readonly HostTool[]): Problem {
  const packages = [...new Set(tools.map((t) => HOST_TOOLS[t].package))];
  const named = tools.map((t) => `'${t}' (Debian package ${HOST_TOOLS[t].package})`);
  return {
    code: 'tool-missing',
    message: `${named.join(', ')} ${tools.length === 1 ? 'is' : 'are'} not on PATH`,
    hint: `install with: apt-get install ${packages.join(' ')} (or add the directory that holds ${tools.length === 1 ? 'it' : 'them'} to PATH); see 'rnx system check'`,
  };
}

/** The absolute path of `tool`, or `tool-missing`. */
export function toolPath(tool: HostTool): Result<string> {
  const path = findTool(tool);
  return path === undefined ? { ok: false, problem: missingTools([tool]) } : ok(path);
}

/** The tools these uses need. */
export function toolsFor(uses: readonly ToolUse[]): HostTool[] {
  return TOOL_NAMES.filter((t) => HOST_TOOLS[t].uses.some((u: ToolUse) => uses.includes(u)));
}

/** Nothing when every tool these uses need is on PATH; else `tool-missing` naming each missing one. */
export function checkTools(uses: readonly ToolUse[]): Result<void> {
  const missing = toolsFor(uses).filter((t) => findTool(t) === undefined);
  return missing.length === 0 ? ok(undefined) : { ok: false, problem: missingTools(missing) };
}

/** What a job needs of the host's tools, from its settings. */
export function toolUsesOfJob(
  job: {
    readonly network: string;
    readonly runtime?: string | undefined;
    readonly ready?: { readonly probe: { readonly kind: string } } | undefined;
  },
  background = false,
): ToolUse[] {
  const uses: ToolUse[] = ['jobs'];
  if (job.network !== 'none') uses.push('networks', 'job-networks');
  if (job.runtime !== undefined) uses.push('runtimes');
  if (job.ready !== undefined && job.ready.probe.kind !== 'log') uses.push('probes');
  if (background) uses.push('background');
  return uses;
}
