import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, lstatSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { cgroupLayout } from '../../src/isolation/cgroups/layout.js';
import { RNX_BIN, runCli, tempDir } from '../helpers/cli.js';
import { processExists, sleep } from './job-rig.js';
import { rnxAsNobody } from '../helpers/as-nobody.js';

let state: { dir: string; cleanup: () => void };
before(() => (state = tempDir('rnx-cli-job-')));
after(() => state.cleanup());

const rnx = (args: string[], env: NodeJS.ProcessEnv = {}) =>
  runCli(args, { stateDir: state.dir, env });

interface Started {
  readonly child: ChildProcess;
  readonly done: Promise<number | null>;
  /** Resolves once the job printed `text` (a marker the job writes when it is ready). */
  printed(text: string): Promise<void>;
}

function start(args: string[]): Started {
  const child = spawn(process.execPath, [RNX_BIN, ...args], {
    env: { ...process.env, RNX_STATE_DIR: state.dir, NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  let out = '';
  child.stdout?.setEncoding('utf8').on('data', (d: string) => (out += d));
  const printed = (text: string): Promise<void> =>
    new Promise((resolve, reject) => {
      const check = (): void => {
        if (!out.includes(text)) return;
        child.stdout?.off('data', check);
        resolve();
      };
      child.stdout?.on('data', check);
      child.once('close', () =>
        out.includes(text) ? resolve() : reject(new Error(`never printed ${text}`)),
      );
      check();
    });
  return {
    child,
    done: new Promise((resolve) => child.on('close', (code) => resolve(code))),
    printed,
  };
}

interface StatusJson {
  id: string;
  status: string;
  reason: string | null;
  exitCode: number | null;
  signal: string | null;
  pid: number | null;
}

async function statusOf(ref: string): Promise<StatusJson> {
  const r = await rnx(['job', 'status', ref, '--json']);
  return JSON.parse(r.stdout) as StatusJson;
}

/** What a process's descriptors point at (none once it is gone). */
function descriptorsOf(pid: number | undefined): string[] {
  try {
    const dir = `/proc/${String(pid)}/fd`;
    return readdirSync(dir).map((fd) => readlinkSync(join(dir, fd)));
  } catch {
    return [];
  }
}

/** Polls `check` until it holds; fails after 30 s. */
async function until(check: () => boolean): Promise<void> {
  for (let waited = 0; !check(); waited += 20) {
    if (waited > 30_000) throw new Error(`still not so after 30 s: ${check.toString()}`);
    await sleep(20);
  }
}

async function waitForRunning(ref: string): Promise<StatusJson> {
  for (let i = 0; i < 200; i++) {
    const r = await rnx(['job', 'status', ref, '--json']);
    if (r.code === 0) {
      const s = JSON.parse(r.stdout) as StatusJson;
      if (s.status === 'RUNNING') return s;
    }
    await sleep(50);
  }
  throw new Error(`job ${ref} never ran`);
}

describe('rnx job run and the job commands', () => {
  it('streams output and exits with the job exit code', async () => {
    const r = await rnx([
      'job',
      'run',
      '--network=none',
      'sh',
      '-c',
      'echo out; echo err >&2; exit 42',
    ]);
    assert.equal(r.code, 42);
    assert.equal(r.stdout, 'out\n');
    assert.match(r.stderr, /^err$/m);
  });

  it('exits 128 + signal when the job was killed by one', async () => {
    const r = await rnx([
      'job',
      'run',
      '--network=none',
      'bash',
      '-c',
      'ulimit -s 256; f() { f; }; f',
    ]);
    assert.equal(r.code, 139);
  });

  it('with --json prints only one JSON object, the job stdout in output', async () => {
    const r = await rnx(['job', 'run', '--network=none', '--name=j1', '--json', 'echo', 'hello']);
    assert.equal(r.code, 0);
    const j = JSON.parse(r.stdout) as Record<string, unknown>;
    assert.equal(j['output'], 'hello\n');
    assert.equal(j['status'], 'COMPLETED');
    assert.equal(j['name'], 'j1');
    assert.equal(j['network'], 'none');
    for (const key of ['id', 'exitCode', 'signal', 'reason', 'address', 'startedAt', 'endedAt']) {
      assert.ok(key in j, `--json lacks ${key}`);
    }
  });

  it('refuses bad flag values with exit 2 before anything starts', async () => {
    const before = (await rnx(['job', 'list', '--json'])).stdout;
    for (const flags of [
      ['--max-memory=lots'],
      ['--max-cpu=half'],
      ['--cpu-cores=0-99'],
      ['--max-processes=-1'],
      ['--timeout=soon'],
      ['--name=bad name'],
      ['-e', '1X=2'],
    ]) {
      const r = await rnx(['job', 'run', '--network=none', ...flags, 'true']);
      assert.equal(r.code, 2, `${flags.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, /^rnx: /);
    }
    assert.equal((await rnx(['job', 'list', '--json'])).stdout, before);
  });

  it('refuses a volume, runtime or network that does not exist with exit 2, recording nothing', async () => {
    const before = (await rnx(['job', 'list', '--json'])).stdout;
    for (const [flags, message] of [
      [['--volume=nope'], /^rnx: volume 'nope' does not exist/],
      [['--runtime=nope'], /^rnx: runtime 'nope' is not registered/],
      [['--runtime=nope', '-d'], /^rnx: runtime 'nope' is not registered/],
      [['--network=nope'], /^rnx: .*nope/],
    ] as const) {
      const r = await rnx(['job', 'run', '--network=none', ...flags, 'true']);
      assert.equal(r.code, 2, `${flags.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, message);
    }
    assert.equal((await rnx(['job', 'list', '--json'])).stdout, before);
  });

  it('never shows, logs or stores a secret value', async () => {
    const secret = 'pa55-word-9f81c';
    const r = await rnx(
      [
        'job',
        'run',
        '--network=none',
        '--json',
        '-s',
        'TOKEN',
        '-e',
        'PLAIN=visible',
        '--',
        'sh',
        '-c',
        'test "$TOKEN" = pa55-word-9f81c && echo match; echo "$TOKEN"; echo "$TOKEN" >&2; echo $PLAIN',
      ],
      { TOKEN: secret },
    );
    const j = JSON.parse(r.stdout) as { id: string; output: string };
    assert.match(j.output, /^match$/m);
    assert.match(j.output, /^visible$/m);
    assert.ok(!r.stdout.includes(secret), r.stdout);
    assert.ok(!r.stderr.includes(secret), r.stderr);
    const status = await rnx(['job', 'status', j.id, '--json']);
    assert.ok(!status.stdout.includes(secret));
    assert.match(status.stdout, /TOKEN/);
    const log = await rnx(['job', 'log', j.id]);
    assert.match(log.stdout, /\*\*\*/);
    for (const file of readdirSync(state.dir, { recursive: true }) as string[]) {
      const path = join(state.dir, file);
      // Regular files only: the output FIFOs rnx keeps ready hold no data (and block a reader).
      if (lstatSync(path, { throwIfNoEntry: false })?.isFile() === true) {
        assert.ok(!readFileSync(path).includes(secret), `${file} holds the secret`);
      }
    }
  });

  it('lists jobs, shows one, and prints its log', async () => {
    await rnx(['job', 'run', '--network=none', '--name=listed', 'echo', 'logged line']);
    const list = JSON.parse((await rnx(['job', 'list', '--json'])).stdout) as { name: string }[];
    assert.ok(list.some((j) => j.name === 'listed'));
    const table = await rnx(['job', 'list']);
    assert.match(table.stdout, /^ID\s+NAME\s+STATUS/);
    assert.match(table.stdout, /listed\s+COMPLETED/);
    const status = await rnx(['job', 'status', 'listed']);
    assert.match(status.stdout, /^status\s+COMPLETED$/m);
    assert.equal((await rnx(['job', 'log', 'listed'])).stdout, 'logged line\n');
    assert.equal((await rnx(['job', 'status', 'nope'])).code, 1);
  });

  it('stops a job from another terminal; its rnx records STOPPED', async () => {
    const run = start([
      'job',
      'run',
      '--network=none',
      '--name=stopme',
      'bash',
      '-c',
      'sleep 100 & sleep 200',
    ]);
    const running = await waitForRunning('stopme');
    // Both sleeps started (RUNNING comes with the go, before bash forked them): a SIGTERM before
    // that would find bash alone, which as PID 1 ignores it, and the stop would end in SIGKILL.
    const sleeps = (): number => {
      try {
        const pid = String(running.pid);
        return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8')
          .trim()
          .split(' ')
          .filter((child) => {
            try {
              return readFileSync(`/proc/${child}/comm`, 'utf8').trim() === 'sleep';
            } catch {
              return false;
            }
          }).length;
      } catch {
        return 0;
      }
    };
    for (let i = 0; i < 5000 && sleeps() < 2; i++) await sleep(2);
    assert.equal(sleeps(), 2);
    const stop = await rnx(['job', 'stop', 'stopme', '--grace=2s']);
    assert.equal(stop.code, 0, stop.stderr);
    // bash (PID 1) exits by itself once SIGTERM ended its foreground child: 128 + 15.
    assert.equal(await run.done, 143);
    const final = await statusOf(running.id);
    assert.equal(final.status, 'STOPPED');
    assert.equal(running.pid !== null && processExists(running.pid), false);
  });

  it('stops the job on Ctrl-C and exits 130', async () => {
    const run = start(['job', 'run', '--network=none', '--name=ctrlc', 'sleep', '100']);
    const running = await waitForRunning('ctrlc');
    run.child.kill('SIGINT');
    assert.equal(await run.done, 130);
    assert.equal((await statusOf(running.id)).status, 'STOPPED');
  });

  it('kills at once on a second Ctrl-C', async () => {
    const run = start([
      'job',
      'run',
      '--network=none',
      '--name=ctrlc2',
      'bash',
      '-c',
      'trap "echo ignoring TERM" TERM; echo trapped; while :; do sleep 0.05; done',
    ]);
    await run.printed('trapped');
    const running = await waitForRunning('ctrlc2');
    run.child.kill('SIGINT');
    await run.printed('ignoring TERM');
    assert.equal((await statusOf(running.id)).status, 'RUNNING');
    run.child.kill('SIGINT');
    assert.equal(await run.done, 130);
    const final = await statusOf(running.id);
    assert.equal(final.status, 'STOPPED');
    assert.equal(final.signal, 'SIGKILL');
  });

  it('after rnx is SIGKILLed mid-job, the next rnx command removes everything it left', async () => {
    const run = start([
      'job',
      'run',
      '--network=none',
      '--name=orphan',
      '--max-memory=64M',
      'bash',
      '-c',
      'sleep 300 & sleep 301',
    ]);
    const running = await waitForRunning('orphan');
    const layout = cgroupLayout();
    const cgroups = [layout.v1.pids, layout.v1.memory, layout.unified]
      .filter((d): d is string => d !== undefined)
      .map((d) => join(d, `rnx-${running.id}`))
      .filter((d) => existsSync(d));
    assert.ok(cgroups.length >= 2);
    const pids = cgroups.flatMap((d) =>
      readFileSync(join(d, 'cgroup.procs'), 'utf8').trim().split('\n').map(Number),
    );
    run.child.kill('SIGKILL');
    await run.done;
    // bwrap (--die-with-parent) takes the job down with its rnx; whatever is left, and the
    // records, cgroups and run directory, the next rnx command removes.
    const next = await rnx(['job', 'list']);
    assert.match(next.stderr, new RegExp(`cleaned up job ${running.id}`));
    assert.deepEqual(pids.filter(processExists), []);
    assert.deepEqual(
      cgroups.filter((d) => existsSync(d)),
      [],
    );
    assert.equal(existsSync(join(state.dir, 'run', running.id)), false);
    const final = await statusOf(running.id);
    assert.equal(final.status, 'FAILED');
    assert.equal(final.reason, 'orphaned');
  });

  it('follows a running job log until the job ends', async () => {
    const run = start([
      'job',
      'run',
      '--network=none',
      '--name=follow',
      'sh',
      '-c',
      'for i in 1 2 3 4; do echo line$i; sleep 0.2; done',
    ]);
    const running = await waitForRunning('follow');
    const log = await rnx(['job', 'log', running.id, '--follow']);
    assert.equal(log.stdout, 'line1\nline2\nline3\nline4\n');
    assert.equal(await run.done, 0);
  });

  it('follows a job that has printed nothing yet, each line as it comes', async () => {
    // The job prints a line for each line the test writes to its input, and the test writes the
    // second only once the follower showed the first: a follower that shows output only at the
    // job's end never gets there. It starts while the job has printed nothing (no log yet).
    const env = { ...process.env, RNX_STATE_DIR: state.dir, NO_COLOR: '1' };
    const job = spawn(
      process.execPath,
      [
        RNX_BIN,
        'job',
        'run',
        '--network=none',
        '--name=quiet',
        'sh',
        '-c',
        'read a; echo "got $a"; read b; echo "got $b"',
      ],
      { env, stdio: ['pipe', 'ignore', 'ignore'] },
    );
    const jobDone = new Promise((resolve) => job.on('close', resolve));
    const running = await waitForRunning('quiet');
    const follower = spawn(process.execPath, [RNX_BIN, 'job', 'log', running.id, '--follow'], {
      env,
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    let shown = '';
    follower.stdout.setEncoding('utf8').on('data', (d: string) => (shown += d));
    const followerDone = new Promise((resolve) => follower.on('close', resolve));
    try {
      // Its marker: the inotify descriptor its watch opens.
      await until(() => descriptorsOf(follower.pid).some((link) => link.includes('inotify')));
      job.stdin?.write('one\n');
      await until(() => shown === 'got one\n');
    } finally {
      job.stdin?.end('two\n');
    }
    await jobDone;
    await followerDone;
    assert.equal(shown, 'got one\ngot two\n');
  });

  it('stops the job when the reader of its output goes away', async () => {
    const child = spawn(
      process.execPath,
      [RNX_BIN, 'job', 'run', '--network=none', '--name=piped', 'yes'],
      {
        env: { ...process.env, RNX_STATE_DIR: state.dir },
        stdio: ['ignore', 'pipe', 'ignore'],
      },
    );
    const done = new Promise((resolve) => child.on('close', resolve));
    child.stdout.once('data', () => child.stdout.destroy());
    await done;
    const final = await statusOf('piped');
    assert.equal(final.status, 'STOPPED');
  });

  it('system check reports what the host offers, exit 0 here', async () => {
    const r = await rnx(['system', 'check']);
    assert.equal(r.code, 0, r.stdout);
    assert.match(r.stdout, /^ok\s+cgroups\s+v[12]/m);
    assert.match(r.stdout, /^ok\s+bwrap\s+\//m);
    const json = JSON.parse((await rnx(['system', 'check', '--json'])).stdout) as {
      name: string;
    }[];
    assert.ok(json.some((i) => i.name === 'PID namespaces'));
  });

  it('tells a user without the privileges jobs need what to do, exit 3', async () => {
    const asNobody = async (args: string[]) => {
      const r = await rnxAsNobody(args, { RNX_STATE_DIR: state.dir });
      return { code: r.code, out: r.stdout + r.stderr };
    };
    const job = await asNobody(['job', 'run', '--network=none', 'true']);
    assert.equal(job.code, 3, job.out);
    assert.match(
      job.out,
      /^rnx: job run needs root: .*\n {2}hint: run it as root: sudo rnx job run/,
    );
    const check = await asNobody(['system', 'check']);
    assert.equal(check.code, 3);
    assert.match(check.out, /^MISSING\s+privileges/m);
  });

  it('system prune has nothing to do when nothing was left', async () => {
    const r = await rnx(['system', 'prune']);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /nothing to clean up/);
  });
});
