/**
 * Ctrl-C in the middle of a workflow, for real: running jobs are stopped, pending ones canceled,
 * rnx exits 130, and nothing is left behind (no process, cgroup, veth or lease), on a real
 * bridge network.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { JsonEvent } from '../../src/engine/events.js';
import { runCli, tempDir } from '../helpers/cli.js';
import { leasesLeft, leftovers } from '../helpers/leftovers.js';
import { running } from '../helpers/state-leftovers.js';
import { startWorkflow, writeWorkflow } from '../helpers/workflow.js';

const state = tempDir();
const files = tempDir('rnx-wf-');
const NETWORK = 'intr';

before(async () => {
  const r = await runCli(['network', 'create', NETWORK, '--cidr=10.42.0.0/24'], {
    stateDir: state.dir,
  });
  assert.equal(r.code, 0, r.stderr);
});

after(async () => {
  await runCli(['network', 'remove', NETWORK], { stateDir: state.dir });
  state.cleanup();
  files.cleanup();
});

/** A job that runs until stopped; `trap` because a PID 1 ignores SIGTERM unless it handles it. */
const FOREVER = `command: sh
    args: ['-c', 'trap "exit 143" TERM; while :; do sleep 0.1; done']`;

function started(events: readonly JsonEvent[]): { ids: string[]; pids: number[] } {
  const ids: string[] = [];
  const pids: number[] = [];
  for (const e of events) {
    if (e.event === 'job-started') {
      ids.push(e.jobId);
      pids.push(e.pid);
    }
  }
  return { ids, pids };
}

/** The processes whose parent is `ppid`, with their command lines. */
function childrenOf(ppid: number): { pid: number; cmdline: string }[] {
  const found: { pid: number; cmdline: string }[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (parent !== ppid) continue;
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').join(' ');
      found.push({ pid: Number(entry), cmdline });
    } catch {
      // Gone meanwhile.
    }
  }
  return found;
}

describe('interrupting a workflow', () => {
  // The spawner: rnx-sandbox's own server, or (RNX_SANDBOX=bwrap) rnx's Node spawner process.
  const spawnerKinds = [
    { name: 'rnx-sandbox --serve', env: {} },
    { name: 'spawner-process', env: { RNX_SANDBOX: 'bwrap' } },
  ];
  for (const kind of spawnerKinds) {
    it(`SIGKILL of rnx ends its spawner (${kind.name}) and the jobs' sandbox programs; the next rnx ends the rest`, async () => {
      const file = writeWorkflow(
        files.dir,
        'killed',
        `name: killed
jobs:
  one:
    ${FOREVER}
    network: none
  two:
    ${FOREVER}
    network: none
  three:
    ${FOREVER}
    network: none
`,
      );
      const run = startWorkflow(file, state.dir, ['--concurrency=3'], kind.env);
      for (const job of ['one', 'two', 'three']) {
        await run.until((e) => e.event === 'job-started' && e.job === job);
      }
      const rnx = run.child.pid ?? -1;
      const spawners = childrenOf(rnx).filter((c) => c.cmdline.includes(kind.name));
      assert.equal(spawners.length, 1, JSON.stringify(childrenOf(rnx)));
      const { pids } = started(run.events());
      const bwraps = childrenOf(spawners[0]?.pid ?? -1).map((c) => c.pid);
      assert.equal(bwraps.length, 3, "the jobs' sandbox programs are the spawner's children");
      run.child.kill('SIGKILL');
      await run.done();
      // The spawner and the jobs' sandbox programs end with rnx (parent-death signals all the way down).
      const settled = async (watched: readonly number[]): Promise<number[]> => {
        for (let waited = 0; waited < 5000 && watched.some(running); waited += 50) {
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
        return watched.filter(running);
      };
      const spawner = spawners[0] === undefined ? [] : [spawners[0].pid];
      assert.deepEqual(
        await settled([...spawner, ...bwraps]),
        [],
        'spawner and sandbox programs gone',
      );
      // The next rnx command ends the jobs and removes what they held.
      const list = await runCli(['job', 'list'], { stateDir: state.dir });
      assert.equal(list.code, 0, list.stderr);
      assert.deepEqual(await settled(pids), [], "the jobs' processes are gone");
      const { ids } = started(run.events());
      assert.deepEqual(leftovers(state.dir, ids, []), []);
    });
  }

  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    it(`${signal} stops running jobs, cancels pending ones, exits 130 and leaves nothing`, async () => {
      const file = writeWorkflow(
        files.dir,
        `long-${signal}`,
        `name: long
jobs:
  one:
    ${FOREVER}
    network: ${NETWORK}
  two:
    ${FOREVER}
    network: ${NETWORK}
  later:
    command: 'true'
    network: ${NETWORK}
    requires: [one: COMPLETED]
`,
      );
      const run = startWorkflow(file, state.dir, ['--concurrency=2']);
      await run.until((e) => e.event === 'job-started' && e.job === 'one');
      await run.until((e) => e.event === 'job-started' && e.job === 'two');
      const running = started(run.events());
      const held = leftovers(state.dir, running.ids, running.pids);
      assert.ok(
        held.filter((h) => h.startsWith('process')).length === 2 &&
          held.filter((h) => h.startsWith('cgroup')).length >= 2 &&
          held.filter((h) => h.startsWith('veth')).length === 2 &&
          held.filter((h) => h.startsWith('lease')).length === 2,
        `the check sees what running jobs hold: ${held.join(', ')}`,
      );
      run.child.kill(signal);
      const { code, events } = await run.done();
      assert.equal(code, 130);
      const finished = events.find((e) => e.event === 'workflow-finished');
      assert.ok(finished?.event === 'workflow-finished');
      assert.equal(finished.status, 'CANCELED');
      assert.deepEqual(
        finished.jobs.map((j) => [j.job, j.status]),
        [
          ['one', 'STOPPED'],
          ['two', 'STOPPED'],
          ['later', 'CANCELED'],
        ],
      );
      const { ids, pids } = started(events);
      const all = [
        ...ids,
        ...finished.jobs.flatMap((j) => (j.jobId === undefined ? [] : [j.jobId])),
      ];
      assert.deepEqual(leftovers(state.dir, all, pids), []);
      assert.equal(leasesLeft(state.dir), 0, 'the lease of the job that never started is gone too');
    });
  }

  it('a second Ctrl-C kills jobs that ignore the graceful stop, and still cleans up', async () => {
    const file = writeWorkflow(
      files.dir,
      'stubborn',
      `name: stubborn
jobs:
  deaf:
    command: sh
    args: ['-c', 'trap "" TERM; while :; do sleep 0.1; done']
    network: ${NETWORK}
`,
    );
    const run = startWorkflow(file, state.dir);
    await run.until((e) => e.event === 'job-started');
    run.child.kill('SIGINT');
    await run.until((e) => e.event === 'job-stopping');
    run.child.kill('SIGINT');
    const { code, events, stderr } = await run.done();
    assert.equal(code, 130);
    assert.match(stderr, /again to kill/);
    const done = events.find((e) => e.event === 'job-finished');
    assert.ok(done?.event === 'job-finished');
    assert.equal(done.signal, 'SIGKILL', 'killed, not waited for');
    const { ids, pids } = started(events);
    assert.deepEqual(leftovers(state.dir, ids, pids), []);
  });

  it('a closed standard output (`| head`) stops the workflow the same way', async () => {
    const file = writeWorkflow(
      files.dir,
      'chatty',
      `name: chatty
jobs:
  talker:
    command: sh
    args: ['-c', 'trap "exit 143" TERM; while :; do echo talking; sleep 0.05; done']
    network: ${NETWORK}
`,
    );
    const run = startWorkflow(file, state.dir);
    await run.until((e) => e.event === 'job-output');
    const { ids, pids } = started(run.events());
    run.child.stdout.destroy();
    const { code } = await run.done();
    // Stopped as by Ctrl-C, but rnx ends as a program killed by SIGPIPE would (EXIT.outputClosed).
    assert.equal(code, 141);
    assert.deepEqual(leftovers(state.dir, ids, pids), []);
    assert.equal(leasesLeft(state.dir), 0);
  });
});
