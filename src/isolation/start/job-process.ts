/**
 * Starts a job's process: one sandbox program, rnx-sandbox or bwrap (called bwrap below: both
 * take the same arguments and speak the same protocol; see sandbox-args.ts), with the job's stdout and stderr as
 * FIFOs (output-pipes.ts) and the protocol fds (3, 5, 6; fd 4 is a detached job's supervisor's).
 * In the foreground the block fd is the go FIFO (go-fifo.ts), which never ends without the go.
 * A detached job's bwrap is started by its supervisor (detach/supervisor.ts), which sends its
 * output to the log and has no status fd (the supervisor gets bwrap's exit status, the same
 * number); the go reaches bwrap through the supervisor's relay (a line `g` on fd 5), which
 * undoes the start if this process ends without giving it. The child bwrap forks is the
 * job's PID 1 and, once its sandbox is made, waits for the go on the block fd. What bwrap says
 * comes as JSON on its own fds, never as text on stderr:
 *   info fd    `{"child-pid": N, ...}` once the namespaces exist (then closed)
 *   status fd  `{"child-pid": N}`, then `{"exit-code": N}` when the command (exec'd) ended
 * No "exit-code" means the command never ran: the sandbox could not be set up (bwrap's reason
 * is in the job's stderr) or the job was killed before its go.
 */
import type { ChildProcess } from 'node:child_process';
import type { Socket } from 'node:net';
import { constants } from 'node:os';
import { spawnProcess } from '../../exec.js';
import { childPidOf, ended, exitCodeOf } from './bwrap-reports.js';
import type { GoFifo } from './go-fifo.js';
import type { OutputFlow } from '../output/output-flow.js';
import type { OutputPipe } from './output-pipes.js';
import { PROTOCOL_FDS } from './sandbox-args.js';
import type { Spawner } from './spawner.js';
import type { CgroupReport } from '../cgroups/sandbox-cgroups.js';
import type { SpawnerFd } from './spawner-protocol.js';

export interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** False when the command never ran (bwrap said nothing of an exit). */
  readonly ran: boolean;
  /** Set when bwrap could not be started at all. */
  readonly error?: string;
  /** What rnx-sandbox said of the job's cgroups, when it owned them (sandbox-cgroups.ts). */
  readonly cgroup?: CgroupReport;
}

export interface JobProcess {
  /** The host pid of the job's PID 1, once bwrap made it; undefined if bwrap ended before. */
  readonly childPid: Promise<number | undefined>;
  /**
   * Resolves when bwrap and the job's output have ended (in the foreground); when the supervisor
   * has exited (a detached job: its end is the supervisor's business).
   */
  readonly exited: Promise<Exit>;
  /** Lets the job run: one byte on the block fd. */
  go(): void;
  /**
   * Ends the job before (or after) its go: SIGKILL to PID 1 and to bwrap (a detached job: to the
   * supervisor's whole process group, bwrap and the waiting PID 1 with it).
   */
  kill(): void;
  /** The detached job's supervisor (absent in the foreground). */
  readonly supervisorPid: number | undefined;
  /** Lets the job run on without this process (a detached job, once it runs). */
  detach(): void;
}

export interface StartOptions {
  /** The sandbox program's file: rnx-sandbox or bwrap (sandbox/sandbox-program.ts). */
  readonly sandbox: string;
  readonly args: readonly string[];
  readonly env: NodeJS.ProcessEnv;
  /** A file descriptor the job reads as its standard input (default: none, /dev/null). */
  readonly stdin?: number;
  /** Spawn a foreground job's bwrap from this spawner process (spawner.ts), not from rnx. */
  readonly spawner?: Spawner;
  /** Where the job's output goes: the FIFOs rnx reads, or (detached) the supervisor's log. */
  readonly output:
    | {
        readonly stdout: OutputPipe;
        readonly stderr: OutputPipe;
        readonly onStdout: (chunk: Buffer) => void;
        readonly onStderr: (chunk: Buffer) => void;
        /** Pauses the readers while where the output goes is full (output-flow.ts). */
        readonly flow?: OutputFlow;
        /** bwrap's block fd: the go FIFO (go-fifo.ts), never at an end of file. */
        readonly go: GoFifo;
      }
    | {
        /** The supervisor's argv (see detach/supervisor.ts), to which bwrap's is appended. */
        readonly supervisor: readonly string[];
      };
}

const SIGNALS = Object.entries(constants.signals) as [NodeJS.Signals, number][];

/**
 * bwrap reports a command killed by signal N as exit code 128 + N (bash's convention), the only
 * form its status fd has. Read back the same way: above 128 with a real signal number is that
 * signal (a command exiting 137 by itself reads as SIGKILL, as in a shell).
 */
export function exitFromStatus(code: number): {
  code: number | null;
  signal: NodeJS.Signals | null;
} {
  if (code > 128) {
    const named = SIGNALS.find(([, n]) => n === code - 128);
    if (named !== undefined) return { code: null, signal: named[0] };
  }
  return { code, signal: null };
}

/**
 * How bwrap ended: the command's status when bwrap reported one (`exitCode`); otherwise bwrap's
 * own, which passes on how its child ended the same way, also when it never exec'd.
 */
function exitOf(
  exitCode: number | undefined,
  code: number | null,
  signal: NodeJS.Signals | null,
  cgroup: CgroupReport | undefined,
): Exit {
  const report = cgroup === undefined ? {} : { cgroup };
  if (exitCode !== undefined) return { ...exitFromStatus(exitCode), ran: true, ...report };
  if (code !== null) return { ...exitFromStatus(code), ran: false, ...report };
  return { code: null, signal, ran: false, ...report };
}

/** A foreground job's output: the FIFOs rnx reads. */
type PipedOutput = Extract<StartOptions['output'], { stdout: OutputPipe }>;

/** Reads the job's stdout and stderr into their callbacks, under the flow; returns the readers. */
function readOutput(out: PipedOutput): Socket[] {
  out.stdout.reader.on('data', out.onStdout);
  out.stderr.reader.on('data', out.onStderr);
  const readers = [out.stdout.reader, out.stderr.reader];
  for (const reader of readers) out.flow?.follow(reader);
  return readers;
}

export function startJobProcess(options: StartOptions): JobProcess {
  // A job reading rnx's stdin is started here: the spawner has no copy of that fd.
  if (
    options.spawner !== undefined &&
    options.stdin === undefined &&
    !('supervisor' in options.output)
  ) {
    return startRemotely(options.spawner, options, options.output);
  }
  const out = 'supervisor' in options.output ? undefined : options.output;
  const supervisor = 'supervisor' in options.output ? options.output.supervisor : undefined;
  const argv = [...(supervisor ?? []), options.sandbox, ...options.args];
  const stdio: ('ignore' | 'pipe' | number)[] = [
    supervisor === undefined ? (options.stdin ?? 'ignore') : 'ignore',
    out?.stdout.writeFd ?? 'ignore',
    out?.stderr.writeFd ?? 'ignore',
  ];
  stdio[PROTOCOL_FDS.info] = 'pipe';
  stdio[4] = 'ignore';
  stdio[PROTOCOL_FDS.block] = out?.go.fd ?? 'pipe';
  if (out !== undefined) stdio[PROTOCOL_FDS.status] = 'pipe';
  const child: ChildProcess = spawnProcess(argv[0] ?? options.sandbox, argv.slice(1), {
    stdio,
    env: options.env,
    // bwrap (or a detached job's supervisor) runs in a session of its own, as Docker runs a
    // container: a terminal's Ctrl-C reaches rnx, which stops the job with its stop signal and
    // grace, and not the job's processes directly. --die-with-parent still ends it with rnx.
    detached: true,
  });
  const stdioStreams = child.stdio as unknown as readonly (Socket | null)[];
  const info = stdioStreams[PROTOCOL_FDS.info] as Socket;
  // The supervisor's pipe (detached); in the foreground the go FIFO's fd, no stream.
  const block = stdioStreams[PROTOCOL_FDS.block] ?? undefined;
  const status = stdioStreams[PROTOCOL_FDS.status] ?? undefined;
  block?.on('error', () => undefined);
  let readers: Socket[] = [];
  if (out !== undefined) {
    // The job holds the write ends now; rnx's copies would keep the readers from seeing EOF.
    out.stdout.closeWrite();
    out.stderr.closeWrite();
    readers = readOutput(out);
  }
  let pid1: number | undefined;
  const childPid = childPidOf(info);
  void childPid.then((pid) => (pid1 = pid));
  const status$ = status === undefined ? undefined : exitCodeOf(status);
  const exited = new Promise<Exit>((resolve) => {
    child.on('error', (error) => {
      for (const reader of readers) reader.destroy();
      resolve({ code: null, signal: null, ran: false, error: error.message });
    });
    if (supervisor !== undefined) {
      // The supervisor's own exit: what its bwrap or relay still hold of the fds is not waited for.
      child.on('exit', (code, signal) => {
        info.destroy();
        block?.destroy();
        resolve({ code, signal, ran: false });
      });
      return;
    }
    child.on('close', (code, signal) => {
      out?.go.close();
      const streams = [...readers, ...(status === undefined ? [] : [status])];
      void Promise.all(streams.map(ended)).then(() =>
        resolve(exitOf(status$?.code(), code, signal, status$?.cgroup())),
      );
    });
  });
  const own = child.pid ?? -1;
  return {
    childPid,
    exited,
    supervisorPid: supervisor === undefined ? undefined : own,
    go() {
      // bwrap reads one byte from the go FIFO; a supervisor's relay reads a line.
      if (out !== undefined) out.go.go();
      else block?.end('g\n');
    },
    kill() {
      // PID 1 first (the namespace dies with it), then bwrap. (The go FIFO never gives bwrap an
      // end of file; the supervisor's relay undoes a start whose pipe ends without a go.)
      killPid(pid1);
      // The supervisor is its group's leader (a session of its own): -own is that whole group.
      killPid(supervisor === undefined ? own : -own);
      out?.go.close();
    },
    detach() {
      info.destroy();
      block?.destroy();
      child.unref();
    },
  };
}

/** SIGKILL to a pid, or to a group as -pid (never 0, -1 or 1: our group, everything, init). */
function killPid(target: number | undefined): void {
  if (target === undefined || target === 0 || target === -1 || Math.abs(target) === 1) return;
  try {
    process.kill(target, 'SIGKILL');
  } catch {
    // Gone already.
  }
}

/** A foreground job whose bwrap the spawner process starts and talks to (spawner.ts). */
function startRemotely(spawner: Spawner, options: StartOptions, out: PipedOutput): JobProcess {
  // The spawner opens the FIFOs by path (rnx holds their read ends open, so the write ends open
  // at once); the go FIFO (go-fifo.ts) read-write, as bwrap's block fd, written by rnx.
  const stdio: SpawnerFd[] = [
    'ignore',
    { path: out.stdout.path, flags: 'w' },
    { path: out.stderr.path, flags: 'w' },
  ];
  stdio[PROTOCOL_FDS.info] = 'pipe';
  stdio[4] = 'ignore';
  stdio[PROTOCOL_FDS.block] = { path: out.go.path, flags: 'r+' };
  stdio[PROTOCOL_FDS.status] = 'pipe';
  const remote = spawner.spawn({
    file: options.sandbox,
    args: options.args,
    env: options.env,
    stdio,
    fds: { info: PROTOCOL_FDS.info, status: PROTOCOL_FDS.status },
  });
  const readers = readOutput(out);
  let bwrapPid: number | undefined;
  let pid1: number | undefined;
  let killed = false;
  // The job holds the write ends once it is spawned; rnx's copies would keep the readers from
  // seeing EOF. (Closed as well if bwrap could not be started.)
  void remote.pid.then((pid) => {
    bwrapPid = pid;
    out.stdout.closeWrite();
    out.stderr.closeWrite();
    if (killed) killPid(pid);
  });
  void remote.childPid.then((pid) => {
    pid1 = pid;
    if (killed) killPid(pid);
  });
  const exited = remote.closed.then(async (closed): Promise<Exit> => {
    out.go.close();
    if (closed.error !== undefined) {
      for (const reader of readers) reader.destroy();
      return { code: null, signal: null, ran: false, error: closed.error };
    }
    await Promise.all(readers.map(ended));
    return exitOf(closed.exitCode, closed.code, closed.signal, closed.cgroup);
  });
  return {
    childPid: remote.childPid,
    exited,
    supervisorPid: undefined,
    go: () => out.go.go(),
    kill() {
      killed = true;
      killPid(pid1);
      killPid(bwrapPid);
      out.go.close();
    },
    detach() {
      // Detached jobs are started by their supervisor, never through the spawner process.
    },
  };
}
