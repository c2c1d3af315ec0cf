/**
 * rnx SIGKILLed at each observable point of a detached start: the job's command either never runs
 * (the supervisor's relay sees rnx gone before the go, kills the start and records it) or runs in
 * its own cgroups (the go came after the join) and is owned as usual; once the next rnx command
 * ran and the job was stopped, nothing is left on the host: no process, cgroup, veth, lease, run
 * directory, end FIFO. Each point is a state seen on the host (not a delay); rnx is frozen
 * (SIGSTOP) the moment it is seen, then killed.
 */
import assert from 'node:assert/strict';
import { isDeepStrictEqual } from 'node:util';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { RNX_BIN, runCli, tempDir } from '../helpers/cli.js';
import {
  cmdline,
  entries,
  hostVeths,
  jobCgroups,
  leftOnHost,
  NOTHING_LEFT,
  processesOfState,
  stopEveryJob,
} from '../helpers/state-leftovers.js';
import { removalsDone } from '../../src/isolation/end/removals.js';
import { runJob } from '../../src/isolation/runner.js';
import { jobSpec, sleep } from './job-rig.js';

const state = tempDir('rnx-detach-killed-');
after(async () => {
  await stopEveryJob(state.dir);
  state.cleanup();
});

/** The job's bwrap, started by its supervisor, with its PID 1 forked (waiting for the go). */
function bwrapWithChild(): boolean {
  return processesOfState(state.dir).some((pid) => {
    if (!cmdline(pid).startsWith('/usr/bin/bwrap') && !/^[^\0]*bwrap\0/.test(cmdline(pid))) {
      return false;
    }
    try {
      return (
        readFileSync(`/proc/${String(pid)}/task/${String(pid)}/children`, 'utf8').trim() !== ''
      );
    } catch {
      return false;
    }
  });
}

/** Waits (bounded) until `done` holds, looking again as often as the machine allows. */
async function until(done: () => boolean, ms: number): Promise<boolean> {
  const end = performance.now() + ms;
  while (!done()) {
    if (performance.now() > end) return false;
    await sleep(5);
  }
  return true;
}

const points: [string, () => boolean][] = [
  ['its run directory exists', () => entries(join(state.dir, 'run')).length > 0],
  ['its supervisor runs', () => processesOfState(state.dir).length > 0],
  ['its bwrap waits for the go', bwrapWithChild],
  ['its cgroup exists', () => jobCgroups(state.dir).length > 0],
  ['its veth exists', () => hostVeths().length > 0],
];

describe('a detached start that fails before its go', () => {
  it('returns a start failure at once and leaves nothing: the supervisor group is killed whole', async () => {
    // A setup timeout of 1 ms fails the start while the supervisor is still making its FIFOs or
    // forking bwrap: the moment an earlier rnx killed the supervisor alone, missed the bwrap it
    // was forking, and then waited for ever for that bwrap (blocked on its block fd) to let go.
    for (let attempt = 0; attempt < 5; attempt++) {
      const result = await runJob(
        jobSpec('sh', ['-c', 'exec sleep 300'], { network: 'bridge' }),
        {},
        {
          stateDir: state.dir,
          setupTimeoutMs: 1,
          detach: { rnx: [process.execPath, RNX_BIN] },
        },
      );
      // Directories go after the end is reported (isolation/end/removals.ts), before rnx exits.
      await removalsDone();
      assert.equal(result.status, 'FAILED');
      // Which step the timeout hits depends on the machine's load: the sandbox's creation
      // (start-failed) or, when bwrap's pid was already there, the network's wiring.
      assert.ok(
        result.reason === 'start-failed' || result.reason === 'network-setup',
        `${String(result.reason)}: ${String(result.message)}`,
      );
      assert.match(result.message ?? '', /timed out/);
      assert.ok(await until(() => processesOfState(state.dir).length === 0, 10_000));
      // A veth made just before the timeout has its peer in the killed job's namespace: the
      // kernel removes the pair when it tears that namespace down, a moment after the job died.
      const clean = await until(
        () => isDeepStrictEqual(leftOnHost(state.dir), NOTHING_LEFT),
        10_000,
      );
      assert.deepEqual(leftOnHost(state.dir), NOTHING_LEFT, `clean within 10 s: ${String(clean)}`);
    }
  });
});

describe('rnx killed during a detached start', () => {
  before(async () => {
    assert.equal((await runCli(['volume', 'create', 'marks'], { stateDir: state.dir })).code, 0);
  });

  for (const [point, reached] of points) {
    it(`the command never runs outside its cgroup, nothing left; killed when ${point}`, async () => {
      const child = spawn(
        process.execPath,
        [
          RNX_BIN,
          'job',
          'run',
          '-d',
          '--network=bridge',
          '--volume=marks',
          '--',
          'sh',
          '-c',
          'cat /proc/self/cgroup > /volumes/marks/$RNX_JOB_ID; exec sleep 300',
        ],
        { env: { ...process.env, RNX_STATE_DIR: state.dir }, stdio: 'ignore' },
      );
      const done = new Promise((resolve) => child.on('close', resolve));
      while (!reached() && child.exitCode === null) await sleep(1);
      child.kill('SIGSTOP');
      child.kill('SIGKILL');
      await done;
      const listed = await runCli(['job', 'list', '--json'], { stateDir: state.dir });
      assert.equal(listed.code, 0, listed.stderr);
      const jobs = JSON.parse(listed.stdout) as { id: string; status: string }[];
      for (const job of jobs) {
        if (job.status === 'RUNNING') {
          const stopped = await runCli(['job', 'stop', job.id, '--grace=1s'], {
            stateDir: state.dir,
          });
          assert.equal(stopped.code, 0, stopped.stderr);
        }
        const waited = await runCli(['job', 'wait', job.id, '--json'], { stateDir: state.dir });
        const final = JSON.parse(waited.stdout) as { status: string; startedAt: string | null };
        assert.notEqual(final.status, 'RUNNING');
        const mark = join(state.dir, 'volumes', 'marks', job.id);
        if (existsSync(mark)) {
          assert.match(readFileSync(mark, 'utf8'), new RegExp(`rnx-${job.id}`), 'in its cgroup');
        } else {
          assert.equal(final.startedAt, null, `${job.id} never ran, and is recorded so`);
        }
      }
      // The relay's rnx (recording an abandoned start) may still be on its way out.
      assert.ok(await until(() => processesOfState(state.dir).length === 0, 10_000));
      assert.deepEqual(leftOnHost(state.dir), NOTHING_LEFT);
    });
  }
});
