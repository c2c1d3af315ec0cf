/**
 * How many processes a job start spawns, counted by the kernel's own accounting: `strace -f`
 * follows every fork of `rnx job run` from its start to its exit and records each execve; the
 * processes are the distinct pids that exec'd something, rnx itself aside, and every one counts
 * (nothing is set apart). A `none` job is rnx-sandbox and the child it makes (which becomes the
 * command), or with RNX_SANDBOX=bwrap, bwrap and its child (which becomes setpriv, then the
 * command): 2. On a network, phase 2's `ip -batch` (rnx's own ip, which would serve the jobs
 * after it too) comes on top: 3; rnx-sandbox's child configures its eth0 itself (`--eth0`). With
 * bwrap the job's side is one more process (a shell started ahead that waits for the pid, then
 * becomes `nsenter ip -batch`): 4. (The network's rules are not listed on a start, and the veth
 * goes with the job's namespace.) The first
 * job on a fresh state directory also makes the output FIFOs ahead (one `mkfifo` for 64) and the
 * network's host side: those are measured on a second job, like every job after the first.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { after, describe, it } from 'node:test';
import { runCli, tempDir } from '../helpers/cli.js';
import { straceEach } from '../helpers/strace.js';

const state = tempDir('rnx-spawns-');
const traces = tempDir('rnx-spawns-traces-');
after(() => {
  state.cleanup();
  traces.cleanup();
});

interface Traced {
  readonly code: number | null;
  /** What each process exec'd (program name, then its argv as strace shows it), by pid, in order. */
  readonly byPid: Map<number, string[]>;
  /** What rnx (and strace) said on stderr: why, when the job did not succeed. */
  readonly stderr: string;
}

async function traced(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<Traced> {
  const r = await runCli(args, {
    stateDir: state.dir,
    prefix: straceEach(traces.dir, 'execve'),
    env,
  });
  const byPid = new Map<number, string[]>();
  // In the order they were made (pids grow; none wraps within one start).
  const pids = readdirSync(traces.dir)
    .map((f) => Number(f.slice('pid.'.length)))
    .sort((a, b) => a - b);
  for (const pid of pids) {
    for (const line of readFileSync(join(traces.dir, `pid.${String(pid)}`), 'utf8').split('\n')) {
      const m = /^execve\("([^"]+)", \[(.*)\], .* = 0$/.exec(line);
      if (m === null) continue;
      const name = (m[1] ?? '').split('/').at(-1) ?? '';
      byPid.set(pid, [...(byPid.get(pid) ?? []), `${name} ${m[2] ?? ''}`]);
    }
  }
  return { code: r.code, byPid, stderr: r.stderr };
}

/** The processes rnx started (every pid but rnx's own, the one that exec'd this node). */
function spawned(t: Traced): string[][] {
  return [...t.byPid.values()].filter(
    (execs) => !execs[0]?.startsWith(`${basename(process.execPath)} `),
  );
}

describe('processes per job start', () => {
  it('a none job spawns at most 2: rnx-sandbox, and its child that becomes the command', async () => {
    const first = await runCli(['job', 'run', '--network=none', 'true'], { stateDir: state.dir });
    assert.equal(first.code, 0, first.stderr);
    const t = await traced(['job', 'run', '--network=none', 'true']);
    assert.equal(t.code, 0, t.stderr);
    const processes = spawned(t);
    assert.ok(processes.length <= 2, JSON.stringify(processes));
    assert.deepEqual(
      processes.map((execs) => execs.map((e) => e.split(' ')[0])),
      [['rnx-sandbox'], ['true']],
    );
  });

  it('with RNX_SANDBOX=bwrap, 2 as well: bwrap, and its child that becomes setpriv then the command', async () => {
    const t = await traced(['job', 'run', '--network=none', 'true'], { RNX_SANDBOX: 'bwrap' });
    assert.equal(t.code, 0, t.stderr);
    assert.deepEqual(
      spawned(t).map((execs) => execs.map((e) => e.split(' ')[0])),
      [['bwrap'], ['setpriv', 'true']],
    );
  });

  it('a job on a network spawns 3: rnx-sandbox, its child (which configures its eth0) and rnx’s own ip', async () => {
    const first = await runCli(['job', 'run', '--network=bridge', 'true'], { stateDir: state.dir });
    assert.equal(first.code, 0, first.stderr);
    const t = await traced(['job', 'run', '--network=bridge', 'true']);
    assert.equal(t.code, 0, t.stderr);
    const processes = spawned(t);
    assert.deepEqual(
      processes.map((execs) => execs.map((e) => e.split(' ')[0]).join(' ')).sort(),
      ['ip', 'rnx-sandbox', 'true'],
      JSON.stringify(processes),
    );
  });

  it('with RNX_SANDBOX=bwrap, at most 4 on a network: the job’s side of phase 2 too', async () => {
    const t = await traced(['job', 'run', '--network=bridge', 'true'], { RNX_SANDBOX: 'bwrap' });
    assert.equal(t.code, 0, t.stderr);
    const processes = spawned(t);
    assert.ok(processes.length <= 4, JSON.stringify(processes));
    assert.deepEqual(
      processes.map((execs) => execs.map((e) => e.split(' ')[0]).join(' ')).sort(),
      ['bwrap', 'ip', 'setpriv true', 'sh nsenter ip'],
      JSON.stringify(processes),
    );
  });

  it('the networked jobs of a workflow share one host ip: 2 each, and that one', async () => {
    const file = join(state.dir, 'three.yaml');
    const jobs = ['a', 'b', 'c'].map((n) => `  ${n}:\n    command: 'true'\n    network: bridge`);
    writeFileSync(file, `name: three\njobs:\n${jobs.join('\n')}\n`);
    const t = await traced(['job', 'run', `--workflow=${file}`, '--concurrency=1']);
    assert.equal(t.code, 0, t.stderr);
    // (Making FIFOs ahead is counted by the tests above; not what this one is about.)
    const processes = spawned(t)
      .map((execs) => execs.map((e) => e.split(' ')[0]).join(' '))
      .filter((p) => p !== 'mkfifo');
    assert.deepEqual(
      processes.sort(),
      ['ip', ...Array<string>(3).fill('rnx-sandbox'), ...Array<string>(3).fill('true')],
      JSON.stringify(processes),
    );
  });
});
