/**
 * rnx-sandbox's start protocol, spoken to it directly (no rnx): the job's pid on the info fd once
 * its namespaces exist, nothing run before the go on the block fd, the exit code on the status fd
 * only once the command was exec'd (a setup that fails says none, and its reason on stderr), 127
 * for a command that cannot be found, 128 + N for a command killed by signal N, a usage error for
 * an option it does not know. rnx reads bwrap the same way (job-process.ts).
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import {
  closeSync,
  constants,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Socket } from 'node:net';
import type { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import { builtSandboxPath } from '../../src/isolation/sandbox/sandbox-program.js';
import { sandboxServer } from '../../src/isolation/sandbox/sandbox-server.js';
import { capabilityMask, DEFAULT_CAPABILITIES } from '../../src/isolation/start/capabilities.js';

const ROOT = [
  '--unshare-pid',
  '--unshare-net',
  '--unshare-ipc',
  '--unshare-uts',
  '--die-with-parent',
  '--as-pid-1',
  '--new-session',
  '--ro-bind',
  '/usr',
  '/usr',
  '--symlink',
  'usr/bin',
  '/bin',
  '--symlink',
  'usr/lib',
  '/lib',
  '--symlink',
  'usr/lib64',
  '/lib64',
  '--proc',
  '/proc',
  '--dev',
  '/dev',
  '--chdir',
  '/',
  '--caps',
  capabilityMask(DEFAULT_CAPABILITIES),
];
const PROTOCOL = ['--info-fd', '3', '--block-fd', '5', '--json-status-fd', '6'];

interface Started {
  /** The job's PID 1 as the host sees it, from the info fd (undefined: it never said). */
  readonly childPid: Promise<number | undefined>;
  go(): void;
  /** The command's first line of output came. */
  readonly up: Promise<void>;
  /** Everything, once the program has exited. */
  readonly ended: Promise<{ code: number | null; stdout: string; stderr: string; status: string }>;
}

function start(args: readonly string[]): Started {
  const child = spawn(builtSandboxPath(), args, {
    stdio: ['ignore', 'pipe', 'pipe', 'pipe', 'ignore', 'pipe', 'pipe'],
  });
  const streams = child.stdio as unknown as (Socket | null)[];
  // A program that ended before the go resets the socket the go is written to: not a failure.
  for (const stream of streams) stream?.on('error', () => undefined);
  const text = (stream: Readable | null | undefined): Promise<string> =>
    new Promise((resolve) => {
      let all = '';
      stream?.setEncoding('utf8');
      stream?.on('data', (d: string) => (all += d));
      stream?.on('close', () => resolve(all));
    });
  const info = text(streams[3]);
  const out = text(child.stdout);
  const up = new Promise<void>((resolve) => {
    let seen = '';
    child.stdout?.on('data', (d: string) => {
      seen += d;
      if (seen.includes('\n')) resolve();
    });
    child.stdout?.on('close', () => resolve());
  });
  const err = text(child.stderr);
  const status = text(streams[6]);
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  return {
    childPid: info.then((json) => {
      if (json === '') return undefined;
      const pid = (JSON.parse(json) as { 'child-pid'?: unknown })['child-pid'];
      return typeof pid === 'number' ? pid : undefined;
    }),
    go: () => streams[5]?.end('g'),
    up,
    ended: Promise.all([exited, out, err, status]).then(([code, stdout, stderr, st]) => ({
      code,
      stdout,
      stderr,
      status: st,
    })),
  };
}

const exitCodes = (status: string): number[] =>
  status
    .split('\n')
    .filter((line) => line.includes('exit-code'))
    .map((line) => (JSON.parse(line) as { 'exit-code': number })['exit-code']);

describe("rnx-sandbox's start protocol", () => {
  it('says the pid, runs nothing before the go, then the command as PID 1; its exit code on the status fd', async () => {
    const s = start([...ROOT, ...PROTOCOL, '--', 'sh', '-c', 'echo pid=$$; exit 3']);
    const pid = await s.childPid;
    assert.ok(pid !== undefined && pid > 1, 'the child pid');
    // The job waits in read(2) on the block fd, in its own PID namespace, before any exec.
    const waiting = readFileSync(`/proc/${String(pid)}/comm`, 'utf8');
    assert.equal(waiting.trim(), 'rnx-sandbox', 'PID 1 has not executed the command yet');
    s.go();
    const end = await s.ended;
    assert.equal(end.stdout, 'pid=1\n');
    assert.equal(end.code, 3);
    assert.match(end.status, new RegExp(`^\\{ "child-pid": ${String(pid)} \\}\\n`));
    assert.deepEqual(exitCodes(end.status), [3]);
  });

  it('reports no exit code when the sandbox cannot be made, with the reason on stderr, exit 1', async () => {
    const s = start([...ROOT, ...PROTOCOL, '--ro-bind', '/rnx-no-such-dir', '/x', '--', 'true']);
    s.go();
    const end = await s.ended;
    assert.equal(end.code, 1);
    assert.deepEqual(exitCodes(end.status), []);
    assert.match(
      end.stderr,
      /^rnx-sandbox: source \/rnx-no-such-dir: No such file or directory\n$/,
    );
  });

  it('exits 127 for a command that is not there (the command "ran": its exit code is said)', async () => {
    const s = start([...ROOT, ...PROTOCOL, '--', '/rnx-no-such-command']);
    s.go();
    const end = await s.ended;
    assert.equal(end.code, 127);
    assert.deepEqual(exitCodes(end.status), [127]);
    assert.match(end.stderr, /cannot execute \/rnx-no-such-command: No such file or directory/);
  });

  it('reports a command killed by signal N as 128 + N', async () => {
    const s = start([...ROOT, ...PROTOCOL, '--', 'sh', '-c', 'echo up; exec sleep 60']);
    const pid = await s.childPid;
    s.go();
    assert.ok(pid !== undefined);
    // Killed from outside (a PID 1 cannot be sent SIGKILL from inside its namespace).
    for (let i = 0; i < 500; i++) {
      const comm = readFileSync(`/proc/${String(pid)}/comm`, 'utf8');
      if (comm.trim() === 'sleep') break;
      await new Promise((resolve) => setImmediate(resolve));
    }
    process.kill(pid, 'SIGKILL');
    const end = await s.ended;
    assert.equal(end.code, 137);
    assert.deepEqual(exitCodes(end.status), [137]);
  });

  it('switches to a user that keeps no capability at all (--cap-drop ALL --user)', async () => {
    const s = start([
      ...ROOT.slice(0, -2),
      '--caps',
      '0',
      '--uid',
      '65534',
      '--gid',
      '65534',
      '--groups',
      '',
      ...PROTOCOL,
      '--',
      'sh',
      '-c',
      'grep -E "^(Uid|Groups|CapPrm|CapEff|CapInh|CapBnd):" /proc/self/status',
    ]);
    s.go();
    const end = await s.ended;
    assert.equal(end.code, 0, end.stderr);
    assert.match(end.stdout, /^Uid:\s+65534\s+65534\s+65534\s+65534$/m);
    assert.match(end.stdout, /^Groups:\s*$/m);
    for (const set of ['CapPrm', 'CapEff', 'CapInh', 'CapBnd']) {
      assert.match(end.stdout, new RegExp(`^${set}:\\s+0{16}$`, 'm'), set);
    }
  });

  it('gives the command only stdin, stdout and stderr of what it was started with', async () => {
    const child = spawn(builtSandboxPath(), [...ROOT, '--', 'sh', '-c', 'ls /proc/self/fd'], {
      stdio: [
        'ignore',
        'pipe',
        'inherit',
        'ignore',
        'ignore',
        'ignore',
        'ignore',
        'ignore',
        'ignore',
        'pipe',
      ],
    });
    let out = '';
    child.stdout?.setEncoding('utf8').on('data', (d: string) => (out += d));
    const code = await new Promise((resolve) => child.on('exit', resolve));
    assert.equal(code, 0);
    // 3 is ls's own directory.
    assert.deepEqual(out.trim().split('\n'), ['0', '1', '2', '3']);
  });

  it('binds a source through its symlinks as the host resolves them', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rnx-link-'));
    try {
      writeFileSync(join(dir, 'file'), 'through the link\n');
      symlinkSync(dir, join(dir, 'abs-link'));
      const end = await start([
        ...ROOT,
        '--ro-bind',
        join(dir, 'abs-link'),
        '/data',
        '--',
        'cat',
        '/data/file',
      ]).ended;
      assert.equal(end.stdout, 'through the link\n', end.stderr);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('does not show a mount the host makes later below a bound directory (private, not a slave)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rnx-propagation-'));
    const sub = join(dir, 'sub');
    mkdirSync(sub);
    // A shared mount, as / is on most hosts (the test's own namespace is private).
    execFileSync('mount', ['--bind', dir, dir]);
    execFileSync('mount', ['--make-shared', dir]);
    try {
      const s = start([
        ...ROOT,
        '--ro-bind',
        dir,
        '/data',
        ...PROTOCOL,
        '--',
        'sh',
        '-c',
        'echo up; while [ ! -e /data/sub/marker ] && [ ! -e /data/go ]; do sleep 0.01; done; grep -c " /data/sub " /proc/self/mountinfo',
      ]);
      s.go();
      await s.up;
      execFileSync('mount', ['-t', 'tmpfs', 'rnx-late', sub]);
      writeFileSync(join(dir, 'go'), '');
      const end = await s.ended;
      assert.equal(end.stdout, 'up\n0\n', end.stderr);
    } finally {
      spawnSync('umount', [sub]);
      spawnSync('umount', [dir]);
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("follows a link in the job's tree within the job's root, never onto the host's (a runtime's links)", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rnx-escape-'));
    try {
      const tree = join(dir, 'tree');
      mkdirSync(join(tree, 'etc'), { recursive: true });
      // While the root is built, the host's root is at /oldroot: links that try to reach it.
      symlinkSync(`/oldroot${dir}/created-on-host`, join(tree, 'etc', 'hosts'));
      symlinkSync(`/oldroot${dir}/dir-on-host`, join(tree, 'vol'));
      symlinkSync(`../../../../oldroot${dir}/relative`, join(tree, 'etc', 'rel'));
      writeFileSync(join(dir, 'hosts'), 'the job hosts\n');
      const end = await start([
        ...ROOT.filter((a, i, all) => !(a === '--chdir' || all[i - 1] === '--chdir')),
        '--bind',
        tree,
        '/',
        '--ro-bind',
        '/usr',
        '/usr',
        '--ro-bind',
        join(dir, 'hosts'),
        '/etc/hosts',
        '--dir',
        '/vol/x',
        '--ro-bind',
        join(dir, 'hosts'),
        '/etc/rel/y',
        '--chdir',
        '/',
        '--',
        '/usr/bin/true',
      ]).ended;
      assert.equal(
        end.stderr.includes('rnx-sandbox:') && !end.stderr.includes('cannot execute'),
        false,
        end.stderr,
      );
      // Nothing was made on the host beside the tree (what was made went into the tree itself).
      assert.deepEqual(readdirSync(dir).sort(), ['hosts', 'tree']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses an option it does not know, or a missing capability mask, before anything is made', async () => {
    const unknown = await start(['--overlay', 'a', 'b', '--caps', '0', '--', 'true']).ended;
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /^rnx-sandbox: unknown option: --overlay\n$/);
    assert.equal(unknown.status, '');
    const noCaps = await start(['--unshare-pid', '--', 'true']).ended;
    assert.equal(noCaps.code, 1);
    assert.match(noCaps.stderr, /--caps is required/);
  });
});

describe('rnx-sandbox --serve', () => {
  it('starts a sandbox program with the fds asked for, says its pid, its PID 1 and how it ended', async () => {
    const server = sandboxServer(builtSandboxPath());
    assert.ok(server !== undefined);
    const dir = mkdtempSync(join(tmpdir(), 'rnx-serve-'));
    try {
      execFileSync('mkfifo', [join(dir, 'out'), join(dir, 'go')]);
      // The read end first, as rnx has it (the server opens a FIFO's write end without waiting).
      const out = new Socket({
        fd: openSync(join(dir, 'out'), constants.O_RDONLY | constants.O_NONBLOCK),
        readable: true,
        writable: false,
      });
      const text = new Promise<string>((resolve) => {
        let all = '';
        out.on('data', (d) => (all += String(d)));
        out.on('close', () => resolve(all));
      });
      const go = openSync(join(dir, 'go'), 'r+');
      const remote = server.spawn({
        file: builtSandboxPath(),
        args: [...ROOT, ...PROTOCOL, '--', 'sh', '-c', 'echo in $$; exit 4'],
        env: { PATH: '/usr/bin:/bin' },
        stdio: [
          'ignore',
          { path: join(dir, 'out'), flags: 'w' },
          'ignore',
          'pipe',
          'ignore',
          { path: join(dir, 'go'), flags: 'r+' },
          'pipe',
        ],
        fds: { info: 3, status: 6 },
      });
      assert.ok(((await remote.pid) ?? 0) > 0);
      assert.ok(((await remote.childPid) ?? 0) > 0);
      writeSync(go, 'g');
      const closed = await remote.closed;
      assert.deepEqual({ code: closed.code, exitCode: closed.exitCode }, { code: 4, exitCode: 4 });
      closeSync(go);
      assert.equal(await text, 'in 1\n');
      const missing = await server.spawn({
        file: '/rnx-no-such-program',
        args: [],
        env: {},
        stdio: ['ignore', 'ignore', 'ignore', 'pipe', 'pipe'],
        fds: { info: 3, status: 4 },
      }).closed;
      assert.match(missing.error ?? '', /^\/rnx-no-such-program: No such file or directory$/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
