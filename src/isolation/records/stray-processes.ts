/**
 * A job's processes that its cgroup does not list, after its rnx was killed: rnx spawns bwrap and
 * only joins the job's PID 1 to the cgroups once bwrap said the pid. Killed in between (or before
 * bwrap's own `--die-with-parent` took effect, a few hundred microseconds after its exec), the
 * bwrap lives on outside the job's cgroups, and on the EOF of its block fd it even lets the command
 * run. They are found by the job's run directory, which every bwrap of the job has in its arguments
 * (the hosts file it binds), and ended with the job's PID 1 first (the kernel then kills everything
 * in the job's PID namespace), then bwrap. A detached job's supervisor killed while it ran leaves
 * its relay (a subshell of the supervisor, with the same arguments, which name the job's run
 * directory: the go FIFO) when the job has a timeout: that timer and its `sleep` go too; and its
 * output reader (`cat` or `sed`, whose last argument is the job's output FIFO), which would
 * otherwise wait for the end of output of a job being reclaimed. Only run when a job was
 * orphaned: one scan of /proc.
 */
import { monotonicMs } from '../../clock.js';
import { readdirSync, readFileSync } from 'node:fs';
import { childrenOf, killAll } from '../../process-tree.js';

/** The command names of the processes a job may leave outside its cgroups. */
const STRAY_NAMES = new Set(['rnx-sandbox', 'bwrap', 'sh', 'cat', 'sed']);

/** The sandbox programs (sandbox/sandbox-program.ts), by command name. */
const SANDBOX_NAMES = new Set(['rnx-sandbox', 'bwrap']);

/**
 * A sandbox program (rnx-sandbox or bwrap), or a detached job's supervisor shell or relay (by command name and argv[0]), whose
 * arguments hold `needle`; or its output reader (by command name and its last argument, the
 * job's output FIFO): nobody else's process is touched.
 */
function bwrapWith(pid: number, needle: string): boolean {
  try {
    const comm = readFileSync(`/proc/${String(pid)}/comm`, 'utf8').trim();
    // Every process is looked at: its cmdline is read only when its name may be one of these.
    if (!STRAY_NAMES.has(comm)) return false;
    const cmdline = readFileSync(`/proc/${String(pid)}/cmdline`, 'utf8');
    const args = cmdline.split('\0');
    if ((comm === 'cat' || comm === 'sed') && args.at(-2) === `${needle}output`) return true;
    const supervisor = comm === 'sh' && args.includes('rnx-supervisor');
    return (SANDBOX_NAMES.has(comm) || supervisor) && cmdline.includes(needle);
  } catch {
    return false;
  }
}

function alive(pid: number): boolean {
  try {
    // A zombie (its parent, a dead rnx's subreaper, has not reaped it yet) is gone for us.
    return !/^\d+ \(.*\) Z /.test(readFileSync(`/proc/${String(pid)}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

/** The job's bwrap processes (those whose arguments name its run directory) and their children. */
export function strayProcesses(runDir: string): number[] {
  const needle = `${runDir}/`;
  const found = readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map(Number)
    .filter((pid) => pid !== process.pid && bwrapWith(pid, needle));
  return [...found.flatMap(childrenOf), ...found];
}

/**
 * Kills them (children first) and waits, a bounded time, until they are gone; looks again until
 * none is found (a bwrap killed while it made its child leaves that child to the next look).
 */
export async function killStrayProcesses(runDir: string, boundMs = 2000): Promise<number[]> {
  const killed: number[] = [];
  const began = monotonicMs();
  for (let pids = strayProcesses(runDir); pids.length > 0; pids = strayProcesses(runDir)) {
    killAll(pids);
    killed.push(...pids);
    while (pids.some(alive) && monotonicMs() - began < boundMs) await pause(2);
    if (monotonicMs() - began >= boundMs) break;
  }
  return killed;
}

/**
 * The global timer, not node:timers/promises: this file is loaded by every `rnx job run`, which
 * then never needed that module (about 0.2 ms of its start).
 */
function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
