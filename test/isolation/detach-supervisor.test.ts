/**
 * The detached job's supervisor script on its own, with a stand-in for bwrap (a shell that waits
 * for one byte on its block fd, as bwrap does, then "runs the command": writes a file) and for rnx
 * (a shell that writes down how it was called): the go passes through the relay; without it (the
 * rnx that started the job ended), the start is undone: the stand-in never runs its command, the
 * supervisor's whole process group is killed, and rnx is called to record the start abandoned.
 * The timer of a job with a timeout calls rnx once the timeout has passed, or is killed when the
 * job ends first. The job's output goes through a pipe to the log. Deterministic: the test plays
 * rnx's part on fd 5.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, watch, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Writable } from 'node:stream';
import { after, describe, it } from 'node:test';
import { supervisorArgv, type SupervisorPlan } from '../../src/isolation/detach/supervisor.js';
import { tempDir } from '../helpers/cli.js';
import { processExists } from './job-rig.js';

const temp = tempDir('rnx-supervisor-');
after(() => temp.cleanup());

let serial = 0;

interface Rig {
  readonly dir: string;
  readonly child: ChildProcess;
  readonly go: Writable;
  /** The file rnx's stand-in writes its arguments to. */
  readonly calls: string;
  /** The file the job's stand-in writes once it got its go. */
  readonly ran: string;
}

function start(plan: Partial<SupervisorPlan> = {}, job = 'echo ran > "$RAN"; sleep 300'): Rig {
  const dir = join(temp.dir, String(serial++));
  mkdirSync(dir);
  const calls = join(dir, 'calls');
  const ran = join(dir, 'ran');
  const fakeRnx = join(dir, 'rnx.sh');
  writeFileSync(fakeRnx, `#!/bin/sh\necho "$@" >> '${calls}'\n`, { mode: 0o755 });
  // rnx makes the output FIFO before it starts the supervisor.
  execFileSync('mkfifo', ['-m', '600', join(dir, 'output')]);
  const argv = supervisorArgv({
    sh: '/bin/sh',
    mkfifo: 'mkfifo',
    env: 'env',
    setsid: 'setsid',
    sleep: 'sleep',
    logPath: join(dir, 'log'),
    endFifo: join(dir, 'end'),
    goFifo: join(dir, 'go'),
    outputFifo: join(dir, 'output'),
    reader: ['cat'],
    rnx: ['/bin/sh', fakeRnx],
    jobId: 'job1',
    stateDir: dir,
    ...plan,
  });
  // The stand-in for bwrap: blocks on fd 5 for one byte (an end of file would let bwrap go on:
  // here it says so), then runs its command.
  const bwrap = [
    '/bin/sh',
    '-c',
    `if [ "$(dd bs=1 count=1 <&5 2>/dev/null)" = g ]; then ${job}; else echo eof > "$RAN.eof"; fi`,
  ];
  const child = spawn(argv[0] ?? 'sh', [...argv.slice(1), ...bwrap], {
    stdio: ['ignore', 'ignore', 'ignore', 'ignore', 'ignore', 'pipe'],
    env: { ...process.env, RAN: ran },
    detached: true,
  });
  const go = (child.stdio as unknown as Writable[])[5];
  assert.ok(go !== undefined);
  go.on('error', () => undefined);
  return { dir, child, go, calls, ran };
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
}

/** Resolves once `file` exists (woken by its directory changing). */
function appears(file: string): Promise<void> {
  return new Promise((resolve) => {
    const dir = join(file, '..');
    const watcher = watch(dir, () => {
      if (existsSync(file) && readFileSync(file, 'utf8').endsWith('\n')) {
        watcher.close();
        resolve();
      }
    });
    if (existsSync(file) && readFileSync(file, 'utf8').endsWith('\n')) {
      watcher.close();
      resolve();
    }
  });
}

/** Live members of a process group. */
function groupMembers(pgid: number): number[] {
  const out: number[] = [];
  for (const entry of readdirSync('/proc')
    .filter((p) => /^\d+$/.test(p))
    .map(Number)) {
    try {
      const stat = readFileSync(`/proc/${String(entry)}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[2]) === pgid && processExists(entry)) out.push(entry);
    } catch {
      // Gone.
    }
  }
  return out;
}

/** True once no process of the group is left (killed ones take a moment to exit); bounded. */
async function groupEnds(pgid: number): Promise<boolean> {
  const end = performance.now() + 5000;
  while (groupMembers(pgid).length > 0) {
    if (performance.now() > end) return false;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  return true;
}

describe('the detached supervisor', () => {
  it('passes the go on: the job runs, then rnx records its status', async () => {
    const rig = start({}, 'echo ran > "$RAN"; exit 7');
    rig.go.end('g\n');
    await exited(rig.child);
    await appears(rig.calls);
    assert.equal(readFileSync(rig.ran, 'utf8'), 'ran\n');
    assert.equal(readFileSync(rig.calls, 'utf8'), 'job finish-detached job1 7\n');
  });

  it('gives the job a pipe, not its log: reopening /dev/stdout appends, the log is whole at the end', async () => {
    const rig = start(
      {},
      'echo first; echo second > /dev/stdout; echo third >&2; echo fourth > /proc/self/fd/2; exit 0',
    );
    rig.go.end('g\n');
    await exited(rig.child);
    await appears(rig.calls);
    assert.equal(readFileSync(join(rig.dir, 'log'), 'utf8'), 'first\nsecond\nthird\nfourth\n');
    assert.equal(readFileSync(rig.calls, 'utf8'), 'job finish-detached job1 0\n');
  });

  it('undoes the start when rnx ends without the go: nothing runs, the group is killed', async () => {
    const rig = start();
    const pgid = rig.child.pid ?? 0;
    // rnx killed: its end of fd 5 closes without a go.
    rig.go.destroy();
    await exited(rig.child);
    await appears(rig.calls);
    assert.equal(readFileSync(rig.calls, 'utf8'), 'job finish-detached job1 abandoned\n');
    assert.equal(existsSync(rig.ran), false, 'the command never ran');
    assert.equal(existsSync(`${rig.ran}.eof`), false, 'the job never saw an end of file');
    assert.ok(await groupEnds(pgid), 'no process of the group is left');
  });

  it("a timer calls rnx once the job's timeout has passed", async () => {
    const rig = start({ timeoutMs: 200 }, 'echo ran > "$RAN"; while :; do sleep 0.05; done');
    rig.go.end('g\n');
    await appears(rig.calls);
    assert.equal(readFileSync(rig.calls, 'utf8'), 'job timeout-detached job1\n');
    process.kill(-(rig.child.pid ?? 0), 'SIGKILL');
  });

  it('a job that ends before its timeout has its timer killed', async () => {
    const rig = start({ timeoutMs: 4_321_000 }, 'exit 0');
    const pgid = rig.child.pid ?? 0;
    rig.go.end('g\n');
    await exited(rig.child);
    await appears(rig.calls);
    assert.equal(readFileSync(rig.calls, 'utf8'), 'job finish-detached job1 0\n');
    assert.ok(await groupEnds(pgid), 'no timer left');
  });
});
