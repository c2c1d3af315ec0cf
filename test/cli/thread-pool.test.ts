/**
 * A single job's rnx makes two threads in libuv's pool, not Node's four (cli/commands/job/run.ts:
 * the cgroup warm-up and a job filesystem's mkdirs are all a quiet job's start gives the pool),
 * unless the caller set UV_THREADPOOL_SIZE; and none once this boot showed that the warm-up does
 * not pay (cgroups/warm-need.ts). Counted in /proc while the job, which prints nothing (its log's
 * writes go through the pool), waits on its stdin after leaving a marker in its /work (removed
 * before it ends: an empty job directory is kept as a spare, and the next job takes it).
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { after, describe, it } from 'node:test';
import { FAST_IN_A_ROW } from '../../src/isolation/cgroups/warm-need.js';
import { collectRun, startCli, tempDir } from '../helpers/cli.js';

const scratch = tempDir('rnx-test-pool-');
after(() => scratch.cleanup());

/** Names of the threads of process `pid`. */
function threadNames(pid: number): string[] {
  return readdirSync(`/proc/${String(pid)}/task`).map((tid) =>
    readFileSync(`/proc/${String(pid)}/task/${tid}/comm`, 'utf8').trim(),
  );
}

/** Waits for the marker a job of state directory `state` leaves in its /work. */
async function jobMarker(state: string): Promise<void> {
  for (;;) {
    const jobs = existsSync(join(state, 'fs')) ? readdirSync(join(state, 'fs')) : [];
    if (jobs.some((id) => existsSync(join(state, 'fs', id, 'work', 'up')))) return;
    await delay(5);
  }
}

/** libuv's pool threads in rnx while its job runs (`extra`: more of rnx's environment). */
async function poolThreads(extra: Record<string, string>, state: string): Promise<number> {
  const child = startCli(
    ['job', 'run', '--network=none', '--', 'sh', '-c', 'touch /work/up; read line; rm /work/up'],
    { stateDir: state, env: extra },
  );
  const run = collectRun(child);
  await jobMarker(state);
  const count = threadNames(child.pid ?? -1).filter((name) => name === 'libuv-worker').length;
  child.stdin.end('go\n');
  const ended = await run;
  assert.equal(ended.code, 0, ended.stderr);
  return count;
}

describe("a single job's thread pool", () => {
  it('is two threads', async () => {
    // A first run in a state directory makes its job's directories in the pool.
    assert.equal(await poolThreads({}, join(scratch.dir, 'two')), 2);
  });

  it('is the size the caller set', async () => {
    assert.equal(await poolThreads({ UV_THREADPOOL_SIZE: '3' }, join(scratch.dir, 'three')), 3);
  });

  it('is not made once this boot showed the cgroup warm-up does not pay', async () => {
    const state = join(scratch.dir, 'warm');
    // A first job leaves the spare directories the next one takes.
    await poolThreads({}, state);
    const boot = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    // As after FAST_IN_A_ROW fast warm-ups on this boot: no warm-up, no pool.
    writeFileSync(join(state, 'cgroup-warm'), `${boot} ${String(FAST_IN_A_ROW)}\n`);
    assert.equal(await poolThreads({}, state), 0);
    // As after a slow one: the warm-up's write goes to the pool again.
    writeFileSync(join(state, 'cgroup-warm'), `${boot} slow\n`);
    assert.equal(await poolThreads({}, state), 2);
  });
});
