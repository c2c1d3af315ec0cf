/**
 * The `tcp` and `http` probes, from inside the job's own network namespace (so they work for jobs
 * on `none` too): one small Node program started by `nsenter --net=/proc/PID/ns/net`, which makes
 * every attempt itself and says `ready` (or `fail DETAIL` at its deadline) on stdout. One process
 * per probed job, not one per attempt. It ends with its standard input (rnx gone) and is killed
 * when the job ends.
 *
 * The program is plain JavaScript kept as text (run with `node -e`), so it needs no file of its
 * own wherever rnx is installed or bundled; its settings come in the RNX_PROBE variable.
 *
 * It only connects, so it keeps no privilege: setpriv starts it with no new privileges, no
 * inheritable or ambient capabilities and a bounding set of CAP_SETUID and CAP_SETGID alone, and
 * its first statements make it nobody (no groups), which empties its permitted and effective sets.
 * The switch is made by Node itself, after node was executed as root, so the prober runs wherever
 * rnx is installed (a node under /root, mode 0700, could not be executed by nobody).
 */
import type { ChildProcess } from 'node:child_process';
import { spawnProcess } from '../../exec.js';

export interface NetProbe {
  readonly kind: 'tcp' | 'http';
  /** tcp: the port; http: a path (asked of 127.0.0.1) or an http:// URL. */
  readonly target: string;
  readonly intervalMs: number;
  readonly timeoutMs: number;
}

/** The overflow uid and gid: nobody, whether or not the host's user database names it. */
const NOBODY = 65534;

/** The prober's setpriv options, up to and including `--`. */
export const PROBER_SETPRIV = [
  '--no-new-privs',
  '--inh-caps=-all',
  '--ambient-caps=-all',
  '--bounding-set=-all,+setuid,+setgid',
  '--',
] as const;

const PROGRAM = String.raw`
process.setgroups([]);
process.setgid(${String(NOBODY)});
process.setuid(${String(NOBODY)});
const net = require('node:net');
const http = require('node:http');
const p = JSON.parse(process.env.RNX_PROBE);
const deadline = Date.now() + p.timeoutMs;
let last = 'no attempt finished';
process.stdin.on('end', () => process.exit(0)).resume();
const say = (text, code) => process.stdout.write(text + '\n', () => process.exit(code));
function attempt(done) {
  const limit = Math.max(100, Math.min(2000, deadline - Date.now()));
  if (p.kind === 'tcp') {
    const where = '127.0.0.1:' + p.target;
    const s = net.connect({ host: '127.0.0.1', port: Number(p.target), timeout: limit });
    s.on('connect', () => { s.destroy(); done(true); });
    s.on('timeout', () => { s.destroy(); done(false, where + ': no answer'); });
    s.on('error', (e) => done(false, where + ': ' + (e.code || e.message)));
    return;
  }
  const url = p.target.startsWith('/') ? 'http://127.0.0.1' + p.target : p.target;
  const req = http.get(url, { timeout: limit, agent: false }, (res) => {
    res.resume();
    const code = res.statusCode || 0;
    done(code >= 200 && code < 400, 'GET ' + url + ': HTTP ' + code);
  });
  req.on('timeout', () => req.destroy(new Error('no answer')));
  req.on('error', (e) => done(false, 'GET ' + url + ': ' + (e.code || e.message)));
}
function loop() {
  const began = Date.now();
  let settled = false;
  attempt((passed, detail) => {
    if (settled) return;
    settled = true;
    if (passed) return say('ready', 0);
    last = detail;
    const next = began + p.intervalMs;
    if (next >= deadline) return setTimeout(() => say('fail ' + last, 1), Math.max(0, deadline - Date.now()));
    setTimeout(loop, Math.max(0, next - Date.now()));
  });
}
loop();
`;

export interface NetProbeRun {
  /**
   * `ready`, or the last attempt's failure at the deadline (`answered`); or the prober itself
   * could not run (not `answered`: e.g. nsenter found the job's namespace gone, the job having
   * ended), which says nothing about the job's readiness.
   */
  readonly result: Promise<{
    readonly passed: boolean;
    readonly answered: boolean;
    readonly detail: string;
  }>;
  stop(): void;
}

/** Starts the prober in the network namespace of the job whose PID 1 is `pid` (on the host). */
export function startNetProbe(
  tools: { readonly nsenter: string; readonly setpriv: string },
  pid: number,
  probe: NetProbe,
): NetProbeRun {
  const child: ChildProcess = spawnProcess(
    tools.nsenter,
    [
      `--net=/proc/${String(pid)}/ns/net`,
      '--',
      tools.setpriv,
      ...PROBER_SETPRIV,
      process.execPath,
      '-e',
      PROGRAM,
    ],
    {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { RNX_PROBE: JSON.stringify(probe) },
    },
  );
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout?.on('data', (chunk: Buffer) => out.push(chunk));
  child.stderr?.on('data', (chunk: Buffer) => err.push(chunk));
  const result = new Promise<{ passed: boolean; answered: boolean; detail: string }>((resolve) => {
    child.on('error', (error) =>
      resolve({ passed: false, answered: false, detail: error.message }),
    );
    child.on('close', () => {
      const text = Buffer.concat(out).toString('utf8').trim();
      if (text === 'ready') resolve({ passed: true, answered: true, detail: '' });
      else if (text.startsWith('fail ')) {
        resolve({ passed: false, answered: true, detail: text.slice(5) });
      } else {
        const why = Buffer.concat(err).toString('utf8').trim().split('\n').pop() ?? '';
        resolve({
          passed: false,
          answered: false,
          detail: why === '' ? 'the probe ended early' : why,
        });
      }
    });
  });
  return {
    result,
    stop() {
      child.stdin?.destroy();
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
}
