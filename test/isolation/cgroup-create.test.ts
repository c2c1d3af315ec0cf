/**
 * A job's cgroup directories are made at once, one per hierarchy, off rnx's thread
 * (cgroups/job-cgroup.ts), and removed at once at its end (cgroups/procs.ts): what one hierarchy
 * refuses must leave nothing in the others, and the job's end must leave no directory behind.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { cgroupLayout, type CgroupLayout } from '../../src/isolation/cgroups/layout.js';
import { tempDir } from '../helpers/cli.js';
import { jobSpec, run } from './job-rig.js';

/** Every place a cgroup of the job could be, in `layout` and in the real layout. */
function jobDirs(layout: CgroupLayout, jobId: string): string[] {
  const owns = [...Object.values(layout.v1), layout.unified];
  return owns.filter((d): d is string => d !== undefined).map((d) => join(d, `rnx-${jobId}`));
}

describe('making and removing a job cgroup', () => {
  it('fails the start when one hierarchy refuses, and leaves nothing in the others', async (t) => {
    const real = cgroupLayout();
    if (real.version !== 'v1' || real.v1.memory === undefined) {
      t.skip('needs the v1 memory controller (this machine has it)');
      return;
    }
    const scratch = tempDir('rnx-cgroup-create-');
    try {
      // The memory hierarchy's parent does not exist: its mkdir fails (ENOENT), the others'
      // (pids, blkio, cpuacct, the unified leaf) succeed at the same time.
      const layout: CgroupLayout = {
        ...real,
        v1: { ...real.v1, memory: join(scratch.dir, 'missing', 'memory') },
      };
      const spec = jobSpec('true', []);
      const { result } = await run(spec, {}, { cgroupLayout: layout });
      assert.equal(result.status, 'FAILED');
      assert.equal(result.reason, 'start-failed');
      assert.equal(result.problem?.code, 'host-cgroup');
      assert.match(result.problem?.message ?? '', /could not create cgroup .*missing\/memory/);
      const made = jobDirs(real, spec.id);
      assert.ok(made.length >= 2, `the others were there to be made: ${made.join(', ')}`);
      assert.deepEqual(made.filter(existsSync), []);
      // bwrap is spawned while the cgroups are made (runner.ts): the sandbox it began is gone too.
      assert.equal(spawnSync('pgrep', ['-f', `rnx-${spec.id}`]).status, 1);
    } finally {
      scratch.cleanup();
    }
  });

  it('joins the job to every hierarchy, limits it, and removes every directory at its end', async () => {
    const layout = cgroupLayout();
    const spec = jobSpec('cat', ['/proc/self/cgroup'], { resources: { maxProcesses: 50 } });
    const { result, stdout } = await run(spec);
    assert.equal(result.status, 'COMPLETED');
    const joined = stdout.split('\n').filter((line) => line.includes(`rnx-${spec.id}`));
    // pids (with its limit), memory, blkio, cpuacct and the unified leaf on this machine.
    assert.ok(joined.length >= 2, stdout);
    assert.deepEqual(jobDirs(layout, spec.id).filter(existsSync), []);
  });
});
