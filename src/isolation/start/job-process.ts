/**
 * Starts a job's process: one `bwrap` (see sandbox-args.ts) with the job's stdout and stderr as
 * FIFOs (output-pipes.ts) and the three protocol fds as fds 3-5. The child bwrap forks is the
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
import type { OutputPipe } from './output-pipes.js';

export interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** False when the command never ran (bwrap said nothing of an exit). */
  readonly ran: boolean;
  /** Set when bwrap could not be started at all. */
  readonly error?: string;
}

export interface JobProcess {
  /** Host pid of the bwrap process outside the job (it waits for PID 1). */
  readonly pid: number;
  /** The host pid of the job's PID 1, once bwrap made it; undefined if bwrap ended before. */
  readonly childPid: Promise<number | undefined>;
  /** Resolves when bwrap and the job's output have ended. */
  readonly exited: Promise<Exit>;
  /** Lets the job run: one byte on the block fd. */
  go(): void;
  /** Ends the job before (or after) its go: SIGKILL to bwrap and to PID 1. */
  kill(): void;
}

export interface StartOptions {
  readonly bwrap: string;
  readonly args: readonly string[];
  readonly env: NodeJS.ProcessEnv;
  readonly stdout: OutputPipe;
  readonly stderr: OutputPipe;
  readonly onStdout: (chunk: Buffer) => void;
  readonly onStderr: (chunk: Buffer) => void;
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

/** Parses newline-separated JSON objects as they arrive. */
function jsonLines(stream: Socket, onObject: (value: Record<string, unknown>) => void): void {
  let buffered = '';
  stream.setEncoding('utf8');
  stream.on('data', (text: string) => {
    buffered += text;
    for (let nl = buffered.indexOf('\n'); nl !== -1; nl = buffered.indexOf('\n')) {
      const line = buffered.slice(0, nl).trim();
      buffered = buffered.slice(nl + 1);
      if (line === '') continue;
      try {
        const value: unknown = JSON.parse(line);
        if (typeof value === 'object' && value !== null) onObject(value as Record<string, unknown>);
      } catch {
        // Not one object per line (the info fd writes one object over several): keep reading.
        buffered = `${line}\n${buffered}`;
        return;
      }
    }
  });
  stream.on('error', () => undefined);
}

function ended(stream: Socket): Promise<void> {
  return new Promise((resolve) => {
    if (stream.destroyed || stream.readableEnded) resolve();
    stream.once('close', () => resolve());
  });
}

export function startJobProcess(options: StartOptions): JobProcess {
  const child: ChildProcess = spawnProcess(options.bwrap, [...options.args], {
    stdio: ['ignore', options.stdout.writeFd, options.stderr.writeFd, 'pipe', 'pipe', 'pipe'],
    env: options.env,
  });
  // The job holds the write ends now; rnx's copies would keep the readers from ever seeing EOF.
  options.stdout.closeWrite();
  options.stderr.closeWrite();
  options.stdout.reader.on('data', options.onStdout);
  options.stderr.reader.on('data', options.onStderr);
  const stdio = child.stdio as unknown as readonly Socket[];
  const [info, block, status] = [stdio[3], stdio[4], stdio[5]] as [Socket, Socket, Socket];
  block.on('error', () => undefined);
  let pid1: number | undefined;
  let exitCode: number | undefined;
  const childPid = new Promise<number | undefined>((resolve) => {
    let text = '';
    info.setEncoding('utf8');
    info.on('data', (chunk: string) => (text += chunk));
    info.on('error', () => undefined);
    info.on('close', () => {
      try {
        const parsed = JSON.parse(text) as { 'child-pid'?: unknown };
        const value = parsed['child-pid'];
        pid1 = typeof value === 'number' ? value : undefined;
      } catch {
        pid1 = undefined;
      }
      resolve(pid1);
    });
  });
  jsonLines(status, (value) => {
    const code = value['exit-code'];
    if (typeof code === 'number') exitCode = code;
  });
  const exited = new Promise<Exit>((resolve) => {
    child.on('error', (error) => {
      options.stdout.reader.destroy();
      options.stderr.reader.destroy();
      resolve({ code: null, signal: null, ran: false, error: error.message });
    });
    child.on('close', (code, signal) => {
      void Promise.all([
        ended(options.stdout.reader),
        ended(options.stderr.reader),
        ended(status),
      ]).then(() => {
        if (exitCode !== undefined) resolve({ ...exitFromStatus(exitCode), ran: true });
        // bwrap passes on how its child ended, the same way, also when it never exec'd.
        else if (code !== null) resolve({ ...exitFromStatus(code), ran: false });
        else resolve({ code, signal, ran: false });
      });
    });
  });
  const pid = child.pid ?? -1;
  const kill = (target: number | undefined): void => {
    if (target === undefined || target <= 0) return;
    try {
      process.kill(target, 'SIGKILL');
    } catch {
      // Gone already.
    }
  };
  return {
    pid,
    childPid,
    exited,
    go() {
      block.end('g');
    },
    kill() {
      // PID 1 first (the namespace dies with it), then bwrap; bwrap's own death would also take
      // PID 1 down (--die-with-parent), but the block fd must never be closed without a kill:
      // on EOF bwrap lets the command run.
      kill(pid1);
      kill(pid);
    },
  };
}
