/**
 * One attempt of the `exec` probe: the command runs inside the job, in all of its namespaces, its
 * root and working directory (`nsenter --all --root --wd`: /work), then through the job's own
 * final step (setpriv: its capability sets, none ambient, its user and groups: final-exec.ts),
 * with the job's environment: what the probe can do is what the job's command could. Ready when it exits 0. An
 * attempt that outlives its time is killed, with what it started inside the job (nsenter forks into
 * the job's PID namespace; its child is killed first).
 */
import { statSync } from 'node:fs';
import { spawnProcess } from '../../exec.js';
import { JOB_WORKDIR } from '../filesystem/mount-plan.js';
import { childrenOf } from '../records/proc-children.js';
import { asTheJob, type AsTheJob } from '../start/final-exec.js';

export interface ExecProbe {
  readonly command: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  /** The job's final step, which the probe's command goes through too. */
  readonly as: AsTheJob;
}

export interface Attempt {
  readonly passed: boolean;
  /** Why it did not pass: the exit status and the last line of its output. */
  readonly detail: string;
}

export function execAttempt(
  nsenter: string,
  pid: number,
  probe: ExecProbe,
  timeoutMs: number,
): Promise<Attempt> {
  const child = spawnProcess(
    nsenter,
    [
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
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...probe.env } },
  );
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
        ? `no answer within ${String(timeoutMs)} ms`
        : signal !== null
          ? `killed by ${signal}`
          : `exit ${String(code)}`;
      resolve({
        passed: !late && code === 0,
        detail: `${probe.command.join(' ')}: ${status}${last === '' ? '' : `: ${last}`}`,
      });
    });
  });
}

/**
 * True while the job's PID 1 is still bwrap: after the go, bwrap (already in the job's root) still
 * changes to /work and then executes the job's final step. A probe entered before that exec would
 * take bwrap's working directory (`/`), not the job's. Compared by the executable's device and
 * inode, which name the same file whatever mount namespace it is seen from.
 */
export function stillSettingUp(pid: number, bwrap: string | undefined): boolean {
  if (bwrap === undefined) return false;
  try {
    const running = statSync(`/proc/${String(pid)}/exe`);
    const tool = statSync(bwrap);
    return running.dev === tool.dev && running.ino === tool.ino;
  } catch {
    // PID 1 is gone (the attempt then fails on its own) or bwrap moved: nothing to wait for.
    return false;
  }
}

/** SIGKILL to nsenter's children (inside the job), then to nsenter. */
function killTree(pid: number | undefined): void {
  if (pid === undefined) return;
  for (const child of [...childrenOf(pid), pid]) {
    try {
      process.kill(child, 'SIGKILL');
    } catch {
      // Gone already.
    }
  }
}
