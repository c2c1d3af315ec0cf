/**
 * Starts a job's process tree: `unshare --pid --fork --kill-child --mount-proc --mount --uts --ipc
 * --net -- sh -c INIT rnx-init COMMAND ARGS...` with a control socket as fd 3 (see init-script.ts).
 * `unshare` enters the new mount, UTS, IPC and network namespaces itself and forks init as PID 1 of
 * the new PID namespace, so once init has said `n` the unshare process's /proc/PID/ns/net is the
 * job's network namespace (before that it may still be the host's: phase 2 must wait for `n`).
 */
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { Socket } from 'node:net';
import { spawnProcess } from '../../exec.js';

export interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** Set when the process could not be started at all. */
  readonly error?: string;
}

export type InitEvent =
  | { readonly kind: 'namespaces' }
  | { readonly kind: 'waiting'; readonly at: number }
  | { readonly kind: 'exec'; readonly at: number }
  | { readonly kind: 'error'; readonly step: string; readonly detail: string };

export interface JobProcess {
  /** Host pid of the unshare process (it lives in the job's network namespace). */
  readonly pid: number;
  readonly exited: Promise<Exit>;
  /** Resolves with init's next message (or an error event when init ends without one). */
  nextEvent(): Promise<InitEvent>;
  /** Lets init exec the command; returns the moment the go byte was written (performance.now()). */
  go(): number;
  /** Closes the control socket without a go: init exits without running the command. */
  cancel(): void;
  /** Kills the job before it ran (after a go): unshare dies, and with it init (--kill-child). */
  abort(): void;
  /** Host pid of the job's PID 1 (init, then the command), once it exists. */
  initPid(): number | undefined;
  /** The detached job's supervisor (absent in the foreground). */
  readonly supervisorPid: number | undefined;
  /** Lets the job run on without this process (a detached job, once it runs). */
  detach(): void;
}

export interface StartOptions {
  readonly unshare: string;
  readonly sh: string;
  readonly script: string;
  readonly command: string;
  readonly args: readonly string[];
  readonly env: NodeJS.ProcessEnv;
  readonly onStdout: (chunk: Buffer) => void;
  readonly onStderr: (chunk: Buffer) => void;
  /**
   * A detached job: the supervisor's argv (see detach/supervisor.ts), to which the start command
   * is appended; the job's output then goes to its log, not to onStdout/onStderr.
   */
  readonly supervisor?: readonly string[];
}

/**
 * util-linux's unshare re-raises the signal that killed its child so that its own status matches,
 * except for SIGKILL, which it cannot reset: it prints this line and exits 1 instead. It is the
 * last thing written to the job's stderr (every process of the namespace is dead by then), so it is
 * held back until the exit decides: exit 1 after it means "PID 1 was killed by SIGKILL".
 */
export const UNSHARE_SIGKILL = Buffer.from(
  'unshare: sigprocmask unblock failed: Invalid argument\n',
);

/**
 * Holds back the end of a stream while it could still be `line` (which may arrive split over
 * several reads: stderr is unbuffered and err(3) writes it in pieces).
 */
export class TailMatcher {
  private pending = Buffer.alloc(0);
  private readonly line: Buffer;

  constructor(line: Buffer) {
    this.line = line;
  }

  /** True when the stream, so far, ends with the whole line (held back). */
  get matched(): boolean {
    return this.pending.equals(this.line);
  }

  push(chunk: Buffer): Buffer {
    const data = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    let keep = 0;
    for (let n = Math.min(this.line.length, data.length); n > 0; n--) {
      if (data.subarray(data.length - n).equals(this.line.subarray(0, n))) {
        keep = n;
        break;
      }
    }
    this.pending = Buffer.from(data.subarray(data.length - keep));
    return data.subarray(0, data.length - keep);
  }

  flush(): Buffer {
    const rest = this.pending;
    this.pending = Buffer.alloc(0);
    return rest;
  }
}

/** The namespaces every job gets: `unshare` flags, up to the `--` before init. */
export const UNSHARE_FLAGS: readonly string[] = [
  '--pid',
  '--fork',
  '--kill-child',
  '--mount-proc',
  '--mount',
  '--uts',
  '--ipc',
  '--net',
];

/** The children of a process (from /proc). */
function childrenOf(pid: number): number[] {
  try {
    const children = readFileSync(`/proc/${String(pid)}/task/${String(pid)}/children`, 'utf8');
    return children
      .trim()
      .split(' ')
      .map(Number)
      .filter((n) => n > 0);
  } catch {
    return [];
  }
}

/** The first child of a process, if it has one. */
function firstChild(pid: number): number | undefined {
  return childrenOf(pid)[0];
}

/** The child of `pid` that runs `program` (by its command name, which the kernel cuts to 15). */
function childRunning(pid: number, program: string): number | undefined {
  const name = basename(program).slice(0, 15);
  return childrenOf(pid).find((child) => {
    try {
      return readFileSync(`/proc/${String(child)}/comm`, 'utf8').trim() === name;
    } catch {
      return false;
    }
  });
}

export function startJobProcess(options: StartOptions): JobProcess {
  const start = [
    options.unshare,
    ...UNSHARE_FLAGS,
    '--',
    options.sh,
    '-c',
    options.script,
    'rnx-init',
    options.command,
    ...options.args,
  ];
  // A detached job starts under its supervisor, in a session of its own, its output in its log.
  const supervisor = options.supervisor;
  const argv = supervisor === undefined ? start : [...supervisor, ...start];
  const child: ChildProcess = spawnProcess(argv[0] ?? options.unshare, argv.slice(1), {
    stdio:
      supervisor === undefined
        ? ['ignore', 'pipe', 'pipe', 'pipe']
        : ['ignore', 'ignore', 'ignore', 'pipe'],
    env: options.env,
    detached: supervisor !== undefined,
  });
  const control = child.stdio[3] as Socket;
  const queue: InitEvent[] = [];
  const waiters: ((event: InitEvent) => void)[] = [];
  let buffered = '';
  let detail: string[] = [];
  let closed = false;
  const push = (event: InitEvent): void => {
    const waiter = waiters.shift();
    if (waiter) waiter(event);
    else queue.push(event);
  };
  control.setEncoding('utf8');
  control.on('data', (text: string) => {
    buffered += text;
    for (let nl = buffered.indexOf('\n'); nl !== -1; nl = buffered.indexOf('\n')) {
      const line = buffered.slice(0, nl);
      buffered = buffered.slice(nl + 1);
      if (line === 'n') push({ kind: 'namespaces' });
      else if (line === 'w') push({ kind: 'waiting', at: performance.now() });
      else if (line === 'x') push({ kind: 'exec', at: performance.now() });
      else if (line.startsWith('E ')) {
        push({ kind: 'error', step: line.slice(2), detail: detail.join('\n') });
        detail = [];
      } else if (line.trim() !== '') detail.push(line);
    }
  });
  const endOfControl = (): void => {
    if (closed) return;
    closed = true;
    const step = 'exit';
    const rest = [...detail, buffered].filter((l) => l.trim() !== '').join('\n');
    while (waiters.length > 0) waiters.shift()?.({ kind: 'error', step, detail: rest });
  };
  control.on('close', endOfControl);
  control.on('error', endOfControl);
  child.stdout?.on('data', options.onStdout);
  const unshareTail = new TailMatcher(UNSHARE_SIGKILL);
  child.stderr?.on('data', (chunk: Buffer) => {
    const out = unshareTail.push(chunk);
    if (out.length > 0) options.onStderr(out);
  });
  const exited = new Promise<Exit>((resolve) => {
    child.on('error', (error) => resolve({ code: null, signal: null, error: error.message }));
    child.on('close', (code, signal) => {
      if (unshareTail.matched && code === 1) {
        resolve({ code: null, signal: 'SIGKILL' });
        return;
      }
      const rest = unshareTail.flush();
      if (rest.length > 0) options.onStderr(rest);
      resolve({ code, signal });
    });
  });
  const own = child.pid ?? -1;
  // Under a supervisor, the start process is its child (there once init has said `n`).
  let startPid = supervisor === undefined ? own : undefined;
  const pidOfStart = (): number => (startPid ??= childRunning(own, options.unshare)) ?? -1;
  return {
    get pid() {
      return pidOfStart();
    },
    supervisorPid: supervisor === undefined ? undefined : own,
    exited,
    detach() {
      control.destroy();
      child.unref();
    },
    nextEvent() {
      const event = queue.shift();
      if (event) return Promise.resolve(event);
      if (closed)
        return Promise.resolve({ kind: 'error', step: 'exit', detail: detail.join('\n') });
      return new Promise((resolve) => waiters.push(resolve));
    },
    go() {
      const at = performance.now();
      control.write('g\n');
      return at;
    },
    cancel() {
      control.end();
      control.destroy();
    },
    abort() {
      control.destroy();
      try {
        const target = pidOfStart();
        // Never -1: that would signal every process.
        if (target > 0) process.kill(target, 'SIGKILL');
      } catch {
        // Gone already.
      }
    },
    initPid() {
      const start = pidOfStart();
      return start > 0 ? firstChild(start) : undefined;
    },
  };
}
