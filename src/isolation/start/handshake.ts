/**
 * The start protocol with a spawned job (see job-process.ts), from "spawned" to "let it run":
 * wait for the job's PID 1 to exist (bwrap's info fd), join its cgroups and wire its network
 * (phase 2) while it waits, then the job's turn (a workflow's concurrency slot: its sandbox is
 * made while other jobs run), then the go. The setup before the turn is bounded by the setup
 * timeout; a failure before the go kills the job, so the command never runs.
 *
 * The cgroup join runs off rnx's thread: a v1 cgroup join waits for an RCU grace period (1 to 15
 * ms here, more under load) when no other join happened just before, time in which rnx's one
 * thread can start or end other jobs.
 */
import { fail, ok, type Result } from '../../problem.js';
import { joinCgroups } from '../cgroups/procs.js';
import type { JobCgroup } from '../cgroups/job-cgroup.js';
import type { JobProcess } from './job-process.js';
import type { Failure } from '../end/run-end.js';

export type Handshake =
  | { readonly kind: 'running'; readonly pid: number }
  | { readonly kind: 'failed'; readonly failure: Failure };

export interface HandshakeOptions {
  /**
   * The job's cgroups, being made: their cgroup.procs files are what the job's PID 1 is moved into
   * (everything it starts follows); a failure to make them ends the start. Absent when the
   * sandbox program owns them (rnx-sandbox moves the job's PID 1 into them before it says its pid).
   */
  readonly cgroup?: Promise<Result<Pick<JobCgroup, 'procsFiles'>>>;
  /** Phase 2, run with PID 1's pid once it exists (absent for `none`). */
  readonly attach?: (pid: number) => Promise<Result<void>>;
  readonly networkName: string;
  readonly setupTimeoutMs: number;
  /**
   * Waited for once the sandbox is made (the setup timeout no longer runs): the job's turn to run.
   * False cancels the start, as a stop does.
   */
  readonly slot?: () => Promise<boolean>;
  /** Asked just before the go: a stop requested meanwhile cancels the start. */
  readonly stopRequested: () => boolean;
}

function timeout(ms: number): { promise: Promise<'timeout'>; clear: () => void } {
  let timer: NodeJS.Timeout | undefined;
  const promise = new Promise<'timeout'>(
    (resolve) => (timer = setTimeout(() => resolve('timeout'), ms)),
  );
  return { promise, clear: () => clearTimeout(timer) };
}

const timedOut = fail<void>('network-setup', 'timed out');

export async function handshake(proc: JobProcess, options: HandshakeOptions): Promise<Handshake> {
  const setup = timeout(options.setupTimeoutMs);
  const failed = (failure: Failure): Handshake => {
    proc.kill();
    return { kind: 'failed', failure };
  };
  try {
    const pid = await Promise.race([proc.childPid, setup.promise]);
    if (pid === 'timeout' || pid === undefined) {
      return failed({
        reason: 'start-failed',
        message: `the job's sandbox could not be created${pid === 'timeout' ? ': timed out' : " (bwrap's reason is in the job's output)"}`,
      });
    }
    // The join and the wiring at once: a v1 join's RCU grace period passes while `ip` makes the
    // veth. (Phase 2 leaves the job's loopback to bwrap, which brings it up meanwhile.)
    const joined =
      options.cgroup?.then((made) => (made.ok ? joinCgroups(made.value.procsFiles, pid) : made)) ??
      Promise.resolve(ok(undefined));
    const both = await Promise.race([
      Promise.all([joined, options.attach?.(pid) ?? Promise.resolve(ok(undefined))]),
      setup.promise,
    ]);
    if (both === 'timeout' && options.attach === undefined) {
      return failed({
        reason: 'start-failed',
        message: 'the job could not join its cgroup: timed out',
      });
    }
    const [join, wire] = both === 'timeout' ? [ok(undefined), timedOut] : both;
    if (!join.ok) return failed({ reason: 'start-failed', problem: join.problem });
    if (!wire.ok) {
      return failed({
        reason: 'network-setup',
        message: `network setup for '${options.networkName}' failed, the command did not run: ${wire.problem.message}`,
      });
    }
    setup.clear();
    const turn = options.slot === undefined || (await options.slot());
    if (!turn || options.stopRequested()) {
      return failed({ reason: 'stopped', message: 'stopped before it started' });
    }
    proc.go();
    return { kind: 'running', pid };
  } finally {
    setup.clear();
  }
}
