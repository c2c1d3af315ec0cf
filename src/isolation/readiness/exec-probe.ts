/**
 * One attempt of the `exec` probe: the command runs inside the job, in all of its namespaces, its
 * root and working directory (`nsenter --all --root --wd`: /work), then through the job's own
 * final step (setpriv: its capability sets, none ambient, its user and groups: final-exec.ts),
 * with the job's environment: what the probe can do is what the job's command could. Ready when it
 * exits 0. An attempt that outlives its time is killed, with what it started inside the job
 * (nsenter forks into the job's PID namespace; its child is killed first).
 *
 * The attempt runs in the job's cgroups too, so the job's limits (memory, processes, CPU) apply to
 * it and a stop of the job kills it. nsenter has no way to join a cgroup (`--cgroup` enters the
 * cgroup namespace, which moves nothing), and a process moved after it has forked leaves its child
 * behind, so the attempt is held before nsenter: a shell waits on a pipe (fd 3) while rnx moves it
 * into every cgroup of the job, exactly as the job's PID 1 is moved (joinCgroups), then the go
 * (a line on the pipe) lets it exec nsenter. rnx gone before the go: the read sees the end of the
 * pipe and the shell exits without running anything.
 */
import { statSync } from 'node:fs';
import type { Writable } from 'node:stream';
import { spawnProcess } from '../../exec.js';
import { joinCgroups } from '../cgroups/procs.js';
import { JOB_WORKDIR } from '../filesystem/mount-plan.js';
import { killTree } from '../../process-tree.js';
import { asTheJob, type AsTheJob } from '../start/final-exec.js';

export interface ExecProbe {
  readonly command: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  /** The job's final step, which the probe's command goes through too. */
  readonly as: AsTheJob;
  /** The job's cgroup.procs files, which each attempt joins before it enters the job. */
  readonly cgroupProcs: readonly string[];
}

/** The host tools an attempt runs. */
export interface ProbeTools {
  readonly nsenter: string;
  /** Holds the attempt until it is in the job's cgroups. */
  readonly sh: string;
  /** Drops the tcp/http prober's privileges. */
  readonly setpriv: string;
}

/** Waits for the go on fd 3, closes it, then becomes the command in its arguments. */
const HOLD = 'read go <&3 && exec 3<&- && exec "$@"';

export interface Attempt {
  readonly passed: boolean;
  /** Why it did not pass: the exit status and the last line of its output. */
  readonly detail: string;
  /** Killed at its time limit, with no answer. */
  readonly late?: boolean;
}

export function execAttempt(
  tools: ProbeTools,
  pid: number,
  probe: ExecProbe,
  timeoutMs: number,
): Promise<Attempt> {
  const child = spawnProcess(
    tools.sh,
    [
      '-c',
      HOLD,
      'rnx-probe',
      tools.nsenter,
      '-t',
      String(pid),
      '--all',
      '--root',
      // The job's working directory, opened here through its root: the target's own cwd is set
      // only after the go (bwrap's chdir), so a probe made at once could start in /.
      `--wd=/proc/${String(pid)}/root${JOB_WORKDIR}`,
      '--',
      ...asTheJob(probe.as, probe.command),
    ],
    { stdio: ['ignore', 'pipe', 'pipe', 'pipe'], env: { ...probe.env } },
  );
  let joinFailure: string | undefined;
  const go = child.stdio[3] as Writable | null;
  // A hold that ends early (killed at its deadline) closes the pipe first: nothing to report.
  go?.on('error', () => undefined);
  if (child.pid !== undefined) {
    void joinCgroups(probe.cgroupProcs, child.pid).then((joined) => {
      if (joined.ok) go?.end('go\n');
      else {
        joinFailure = joined.problem.message;
        killTree(child.pid);
      }
    });
  }
  const output: Buffer[] = [];
  let size = 0;
  const keep = (chunk: Buffer): void => {
    // The last few KiB are enough to say why it failed.
    output.push(chunk);
    size += chunk.length;
    while (size > 4096 && output.length > 1) size -= output.shift()?.length ?? 0;
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  return new Promise((resolve) => {
    let late = false;
    const timer = setTimeout(() => {
      late = true;
      killTree(child.pid);
    }, timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      resolve({ passed: false, detail: error.message });
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const last = Buffer.concat(output).toString('utf8').trim().split('\n').pop() ?? '';
      const status = late
        ? `no answer within ${String(Math.round(timeoutMs))} ms`
        : joinFailure !== undefined
          ? joinFailure
          : signal !== null
            ? `killed by ${signal}`
            : `exit ${String(code)}`;
      resolve({
        passed: !late && code === 0,
        late,
        detail: `${probe.command.join(' ')}: ${status}${last === '' ? '' : `: ${last}`}`,
      });
    });
  });
}

/**
 * True while the job's PID 1 is still the sandbox program (rnx-sandbox or bwrap): after the go, it
 * (already in the job's root) still sets the job's capabilities (rnx-sandbox), changes to /work
 * and then executes the command (or setpriv). A probe entered before that exec would take the
 * program's working directory (`/`) and, before the go, a copy of the host's mount namespace.
 * Compared by the executable's device and inode, which name the same file whatever mount
 * namespace it is seen from.
 */
export function stillSettingUp(pid: number, sandbox: string | undefined): boolean {
  if (sandbox === undefined) return false;
  try {
    const running = statSync(`/proc/${String(pid)}/exe`);
    const tool = statSync(sandbox);
    return running.dev === tool.dev && running.ino === tool.ino;
  } catch {
    // PID 1 is gone (the attempt then fails on its own) or the program moved: nothing to wait for.
    return false;
  }
}
