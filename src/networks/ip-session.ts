/**
 * rnx's own `ip -oneline -batch -` in its network namespace, kept running while rnx runs, so that
 * the host side of phase 2 costs one netlink request instead of a process: spawning `ip` from
 * rnx forks all of rnx (2 ms and more per spawn, blocking rnx's thread), then ip loads its eight
 * libraries (libbpf, libelf...) before its first request. It is started ahead of the first job
 * that needs it (warmIpSession, called in phase 1, while the job's sandbox is made) and serves
 * every job after it.
 *
 * A request is a few batch lines followed by `link show dev NAME`, whose one line of output says
 * the lines before it succeeded (ip flushes its output after every batch line). Without `-force`
 * ip stops at the first line that fails and exits non-zero, its reason on stderr: the oldest
 * request still unanswered is the one that failed, and those sent after it, which ip never ran,
 * go to a fresh ip. Nothing is parsed of ip's messages: they become the request's problem text.
 *
 * No request waits unbounded: an ip that has not answered the oldest one in its time
 * (DEFAULT_TOOL_TIMEOUT_MS unless the caller says otherwise) is killed, that request fails with
 * `tool-timeout`, and the others go to a fresh ip. It never keeps rnx alive by itself (its handles are unref'd while nothing is asked of it), it
 * runs in a session of its own (a terminal's Ctrl-C is rnx's business, not its), and it ends by
 * itself on the end of its input when rnx exits, however rnx ends (a SIGKILLed rnx too).
 */
import type { ChildProcess } from 'node:child_process';
import type { Socket } from 'node:net';
import {
  DEFAULT_TOOL_TIMEOUT_MS,
  killTool,
  lastLines,
  spawnProcess,
  toolTimeout,
} from '../exec.js';
import { findTool, missingTools } from '../host-tools.js';
import { fail, ok, type Result } from '../problem.js';

interface Request {
  /** The batch lines (without the confirming `link show`). */
  readonly batch: string;
  /** The link whose `link show` confirms the request. */
  readonly device: string;
  /** How long ip may take to answer it, once it is the oldest. */
  readonly timeoutMs: number;
  readonly resolve: (result: Result<void>) => void;
}

/** One ip process and the requests sent to it, oldest first. */
class Session {
  readonly #child: ChildProcess;
  readonly #sent: Request[] = [];
  #stdout = '';
  #stderr = '';
  #ended = false;
  #spawnError: NodeJS.ErrnoException | undefined;
  /** Armed while a request waits: the oldest one's time. */
  #timer: NodeJS.Timeout | undefined;
  /** The time of the request ip was killed for. */
  #late: number | undefined;

  constructor(path: string) {
    this.#child = spawnProcess(path, ['-oneline', '-batch', '-'], {
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: true,
    });
    const { stdin, stdout, stderr } = this.#child;
    stdin?.on('error', () => undefined);
    stdout?.setEncoding('utf8').on('data', (text: string) => this.#out(text));
    // Its last words only (kept whole across requests: stderr and stdout are two pipes, and
    // which of them rnx reads first is not the order ip wrote them in).
    stderr?.setEncoding('utf8').on('data', (text: string) => {
      this.#stderr = (this.#stderr + text).slice(-4096);
    });
    this.#child.on('error', (error: NodeJS.ErrnoException) => (this.#spawnError = error));
    this.#child.on('close', (code, signal) => this.#close(code, signal));
    this.#child.unref();
    for (const stream of [stdin, stdout, stderr]) (stream as Socket | null)?.unref();
  }

  get ended(): boolean {
    return this.#ended;
  }

  send(request: Request): void {
    this.#sent.push(request);
    this.#hold(true);
    this.#child.stdin?.write(`${request.batch}\nlink show dev ${request.device}\n`);
    if (this.#timer === undefined) this.#arm(request.timeoutMs);
  }

  #out(text: string): void {
    this.#stdout += text;
    for (let nl = this.#stdout.indexOf('\n'); nl !== -1; nl = this.#stdout.indexOf('\n')) {
      const line = this.#stdout.slice(0, nl);
      this.#stdout = this.#stdout.slice(nl + 1);
      const first = this.#sent[0];
      // `N: NAME@...` or `N: NAME: ...`: the confirmation of the oldest request.
      if (first === undefined || !confirms(line, first.device)) continue;
      this.#sent.shift();
      first.resolve(ok(undefined));
      clearTimeout(this.#timer);
      this.#timer = undefined;
      const next = this.#sent[0];
      if (next !== undefined) this.#arm(next.timeoutMs);
    }
    if (this.#sent.length === 0) this.#hold(false);
  }

  /** The oldest request's time runs from now; past it, ip is killed (see #close). */
  #arm(timeoutMs: number): void {
    this.#timer = setTimeout(() => {
      this.#late = timeoutMs;
      killTool(this.#child.pid);
    }, timeoutMs);
    // The request's own waiting keeps rnx alive (#hold), not this timer.
    this.#timer.unref();
  }

  /**
   * While an answer is awaited, ip's output, its stderr and its exit keep rnx alive (a failed
   * request is answered on 'close', which needs all three, in any order); idle, nothing does.
   */
  #hold(waiting: boolean): void {
    const handles = [this.#child, this.#child.stdout, this.#child.stderr] as (Socket | null)[];
    for (const handle of handles) {
      if (waiting) handle?.ref();
      else handle?.unref();
    }
  }

  #close(code: number | null, signal: NodeJS.Signals | null): void {
    this.#ended = true;
    clearTimeout(this.#timer);
    const [failed, ...unread] = this.#sent.splice(0);
    if (this.#spawnError?.code === 'ENOENT') {
      // Gone since it was found: as missing as if it had never been there.
      for (const request of [failed, ...unread])
        request?.resolve({ ok: false, problem: missingTools(['ip']) });
      return;
    }
    const why =
      this.#spawnError !== undefined
        ? `could not run 'ip': ${this.#spawnError.message}`
        : `ip -batch: ${signal === null ? lastLines(this.#stderr, code) : `killed by ${signal}`}`;
    failed?.resolve(
      this.#late === undefined ? fail('tool-failed', why) : toolTimeout('ip -batch', this.#late),
    );
    for (const request of unread) submit(request);
  }
}

function confirms(line: string, device: string): boolean {
  const rest = line.replace(/^\d+: /, '');
  return rest.startsWith(`${device}@`) || rest.startsWith(`${device}:`);
}

let current: Session | undefined;

/** The running session, or a new one; undefined when `ip` is not on PATH. */
function session(): Session | undefined {
  if (current !== undefined && !current.ended) return current;
  const path = findTool('ip');
  if (path === undefined) return undefined;
  current = new Session(path);
  return current;
}

function submit(request: Request): void {
  const target = session();
  if (target === undefined) request.resolve({ ok: false, problem: missingTools(['ip']) });
  else target.send(request);
}

/**
 * Runs `batch` (ip batch lines) in rnx's own network namespace; resolves once ip ran every line
 * and `device` exists, or with ip's reason when a line failed, or with `tool-timeout`.
 */
export function ipBatch(
  batch: string,
  device: string,
  options: { readonly timeoutMs?: number } = {},
): Promise<Result<void>> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TOOL_TIMEOUT_MS;
  return new Promise((resolve) => submit({ batch, device, timeoutMs, resolve }));
}

/** Starts the session now if none runs, so that it has loaded when the first request comes. */
export function warmIpSession(): void {
  session();
}
