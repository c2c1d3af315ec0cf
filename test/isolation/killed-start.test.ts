/**
 * rnx SIGKILLed at each observable point of a job's start leaves nothing on the host once the
 * next rnx command ran: no process, cgroup, mount, veth, lease, run or job-filesystem directory.
 * The job is the heaviest kind: a runtime (its writable layer is mounted on the host), a volume, a
 * memory limit, on the bridge network. Each point is a state the test sees on the host (a
 * directory, a mount, a cgroup, the bwrap process, the job's own marker), not a fixed delay; rnx is
 * killed as soon as it is reached.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { RNX_BIN, runCli, tempDir } from '../helpers/cli.js';
import { makeBusyboxRootfs } from '../helpers/fs-job.js';
import {
  entries,
  jobCgroups,
  leftOnHost,
  mountsUnder,
  NOTHING_LEFT,
  processesOfState,
} from '../helpers/state-leftovers.js';
import { sleep } from './job-rig.js';

const state = tempDir('rnx-killed-');
after(() => state.cleanup());

const points: [string, () => boolean][] = [
  ['its run directory exists', () => entries(join(state.dir, 'run')).length > 0],
  ['its runtime layer is mounted', () => mountsUnder(join(state.dir, 'fs')).length > 0],
  ['its cgroup exists', () => jobCgroups(state.dir).length > 0],
  ['bwrap runs', () => processesOfState(state.dir).length > 0],
  ['the command runs', () => entries(join(state.dir, 'volumes', 'marks')).length > 0],
];

describe('rnx killed during a start', () => {
  before(async () => {
    const tiny = makeBusyboxRootfs(join(state.dir, 'tiny'), 'tiny');
    assert.equal((await runCli(['runtime', 'add', 'tiny', tiny], { stateDir: state.dir })).code, 0);
    assert.equal((await runCli(['volume', 'create', 'marks'], { stateDir: state.dir })).code, 0);
  });

  for (const [point, reached] of points) {
    it(`leaves nothing once the next rnx ran, killed when ${point}`, async () => {
      const child = spawn(
        process.execPath,
        [
          RNX_BIN,
          'job',
          'run',
          '--runtime=tiny',
          '--network=bridge',
          '--volume=marks',
          '--max-memory=64M',
          '--',
          'sh',
          '-c',
          'touch /volumes/marks/$RNX_JOB_ID; sleep 300',
        ],
        { env: { ...process.env, RNX_STATE_DIR: state.dir }, stdio: 'ignore' },
      );
      const done = new Promise((resolve) => child.on('close', resolve));
      // Checked as often as the machine allows; rnx may already be past the point when it is seen.
      while (!reached() && child.exitCode === null) await sleep(1);
      child.kill('SIGKILL');
      await done;
      const next = await runCli(['job', 'list'], { stateDir: state.dir });
      assert.equal(next.code, 0, next.stderr);
      assert.deepEqual(leftOnHost(state.dir), NOTHING_LEFT);
    });
  }
});
