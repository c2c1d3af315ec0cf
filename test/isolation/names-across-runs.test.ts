/**
 * Names across runs: a named job started by one `rnx job run` answers to its name for jobs that
 * other rnx processes start on the same network, for as long as it runs; a second single job of
 * that name on that network is refused; another network never resolves it; and once it ends, the
 * name is gone from the jobs still running.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { RNX_BIN, runCli, tempDir } from '../helpers/cli.js';

const state = tempDir();

before(async () => {
  for (const [name, cidr] of [
    ['names-a', '10.44.0.0/24'],
    ['names-b', '10.45.0.0/24'],
  ] as const) {
    const r = await runCli(['network', 'create', name, `--cidr=${cidr}`], { stateDir: state.dir });
    assert.equal(r.code, 0, r.stderr);
  }
});

/** Foreground rnx processes a failed check may leave running: stopped as Ctrl-C would. */
const children: ChildProcess[] = [];

after(async () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGINT');
  await Promise.all(children.map(ended));
  for (const name of ['names-a', 'names-b'])
    await runCli(['network', 'remove', name], { stateDir: state.dir });
  state.cleanup();
});

/** `rnx job run ARGS` in the foreground of a child process; resolves once stdout has `line`. */
function startRnx(
  args: readonly string[],
  line: string,
): { child: ChildProcess; ready: Promise<void> } {
  const child = spawn(process.execPath, [RNX_BIN, 'job', 'run', ...args], {
    env: { ...process.env, RNX_STATE_DIR: state.dir, NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let seen = '';
  const ready = new Promise<void>((resolve, reject) => {
    child.stdout?.setEncoding('utf8').on('data', (d: string) => {
      seen += d;
      if (seen.includes(line)) resolve();
    });
    child.on('close', (code) =>
      reject(new Error(`rnx ended (${String(code)}) before '${line}': ${seen}`)),
    );
  });
  return { child, ready };
}

const ended = (child: ChildProcess): Promise<number | null> =>
  new Promise((resolve) => {
    if (child.exitCode !== null) resolve(child.exitCode);
    else child.on('close', (code) => resolve(code));
  });

/** A one-line Python HTTP server that says when it listens. */
const SERVER = [
  'python3',
  '-u',
  '-c',
  "import http.server as h; s = h.HTTPServer(('', 8000), h.SimpleHTTPRequestHandler); print('listening'); s.serve_forever()",
];

describe('names across runs', () => {
  it('a running named job answers to its name on its network only, while it runs', async () => {
    const backend = startRnx(['--network=names-a', '--name=backend', ...SERVER], 'listening');
    await backend.ready;

    const fetched = await runCli(
      [
        'job',
        'run',
        '--network=names-a',
        'python3',
        '-c',
        "import urllib.request as u; print(u.urlopen('http://backend:8000/', timeout=5).status)",
      ],
      { stateDir: state.dir },
    );
    assert.equal(fetched.code, 0, fetched.stderr);
    assert.equal(fetched.stdout.trim(), '200');

    const again = await runCli(['job', 'run', '--network=names-a', '--name=backend', 'true'], {
      stateDir: state.dir,
    });
    assert.equal(again.code, 2, again.stderr);
    assert.match(again.stderr, /a job named 'backend' is already running on network 'names-a'/);

    // The same name on another network is another job; and `backend` of names-a is unknown there.
    const elsewhere = await runCli(
      ['job', 'run', '--network=names-b', '--name=backend', 'sh', '-c', 'getent hosts backend'],
      { stateDir: state.dir },
    );
    assert.equal(elsewhere.code, 0, elsewhere.stderr);
    assert.match(elsewhere.stdout, /^10\.45\.0\.\d+\s+backend$/m);
    assert.doesNotMatch(elsewhere.stdout, /10\.44\./);
    const hostsB = await runCli(['job', 'run', '--network=names-b', 'cat', '/etc/hosts'], {
      stateDir: state.dir,
    });
    assert.doesNotMatch(hostsB.stdout, /10\.44\.|backend/);

    // A job already running sees the name go when the backend ends (its file is rewritten).
    const watcher = startRnx(
      [
        '--network=names-a',
        'sh',
        '-c',
        // No getent for a missing name: it would then ask DNS, unreachable here, and wait.
        'getent ahostsv4 backend && echo seen; i=0; while grep -qw backend /etc/hosts; do ' +
          'i=$((i+1)); [ $i -gt 400 ] && exit 9; sleep 0.05; done; echo gone',
      ],
      'seen',
    );
    await watcher.ready;
    const stopped = await runCli(['job', 'stop', 'backend', '--grace=1s'], { stateDir: state.dir });
    assert.equal(stopped.code, 0, stopped.stderr);
    assert.equal(await ended(watcher.child), 0, 'the running job saw backend go');
    await ended(backend.child);
    const later = await runCli(
      ['job', 'run', '--network=names-a', 'sh', '-c', 'grep -w backend /etc/hosts || echo gone'],
      { stateDir: state.dir },
    );
    assert.equal(later.stdout.trim(), 'gone');
  });
});
