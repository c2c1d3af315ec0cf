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
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { cgroupLayout } from '../../src/isolation/cgroups/layout.js';
import { openDatabase } from '../../src/state/database.js';
import { RNX_BIN, runCli, tempDir } from '../helpers/cli.js';
import { makeBusyboxRootfs } from '../helpers/fs-job.js';
import { processExists, sleep } from './job-rig.js';

const state = tempDir('rnx-killed-');
after(() => state.cleanup());

function entries(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

function mountsUnder(dir: string): string[] {
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((line) => line.split(' ')[4] ?? '')
    .filter((p) => p.startsWith(dir));
}

/** The cgroups of this test's jobs (other rnx runs on the machine have their own). */
function jobCgroups(): string[] {
  const ids = entries(join(state.dir, 'logs')).map((f) => f.replace(/\.log$/, ''));
  const layout = cgroupLayout();
  return [...Object.values(layout.v1), layout.unified]
    .filter((d): d is string => d !== undefined)
    .flatMap((d) => ids.map((id) => join(d, `rnx-${id}`)))
    .filter((d) => existsSync(d));
}

/** Processes (not zombies) whose command line names the state directory: bwrap, the job. */
function processesOfState(): number[] {
  return entries('/proc')
    .filter((p) => /^\d+$/.test(p))
    .map(Number)
    .filter((pid) => {
      try {
        return (
          readFileSync(`/proc/${String(pid)}/cmdline`, 'utf8').includes(state.dir) &&
          processExists(pid)
        );
      } catch {
        return false;
      }
    });
}

/**
 * Host ends of job veths, from /proc/net/dev: this namespace's (the test's own, so only its jobs'
 * are there); /sys/class/net would show the namespace that mounted /sys, the machine's.
 */
function hostVeths(): string[] {
  return readFileSync('/proc/net/dev', 'utf8')
    .split('\n')
    .slice(2)
    .map((line) => line.split(':')[0]?.trim() ?? '')
    .filter((n) => /^rnxv/.test(n));
}

const points: [string, () => boolean][] = [
  ['its run directory exists', () => entries(join(state.dir, 'run')).length > 0],
  ['its runtime layer is mounted', () => mountsUnder(join(state.dir, 'fs')).length > 0],
  ['its cgroup exists', () => jobCgroups().length > 0],
  ['bwrap runs', () => processesOfState().length > 0],
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
      assert.deepEqual(processesOfState(), [], 'processes');
      assert.deepEqual(jobCgroups(), [], 'cgroups');
      assert.deepEqual(mountsUnder(state.dir), [], 'mounts');
      assert.deepEqual(entries(join(state.dir, 'run')), [], 'run directories');
      assert.deepEqual(entries(join(state.dir, 'fs')), [], 'job filesystems');
      assert.deepEqual(hostVeths(), [], 'veths');
      const db = openDatabase(state.dir);
      try {
        assert.deepEqual(db.prepare('SELECT job_id FROM leases').all(), [], 'leases');
      } finally {
        db.close();
      }
    });
  }
});
