/**
 * The cgroup v2 code path, for real: this machine keeps its controllers on v1, but its unified
 * hierarchy (no controllers, a working cgroup.kill) takes v2 job leaves. On a pure v2 host the
 * other tests run this path anyway.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { cgroupLayout, type CgroupLayout } from '../../src/isolation/cgroups/layout.js';
import { jobSpec, processExists, run } from './job-rig.js';

function v2Layout(): CgroupLayout {
  const layout = cgroupLayout();
  assert.ok(layout.unified !== undefined, 'this host has no cgroup2 hierarchy');
  return {
    version: 'v2',
    v1: {},
    unified: layout.unified,
    ...(layout.unifiedRoot === undefined ? {} : { unifiedRoot: layout.unifiedRoot }),
  };
}

describe('jobs in cgroup v2 leaves', () => {
  it('tracks the whole tree in one leaf, stops it, and removes the leaf', async () => {
    const layout = v2Layout();
    const spec = jobSpec('bash', ['-c', 'sleep 100 & sleep 200 & echo up; wait']);
    const leaf = join(layout.unified ?? '', `rnx-${spec.id}`);
    const stop = new AbortController();
    let pids: number[] = [];
    const { result } = await run(
      spec,
      {
        signal: stop.signal,
        // Once the job said both children are started.
        onStdout: (chunk) => {
          if (!chunk.toString().includes('up')) return;
          pids = readFileSync(join(leaf, 'cgroup.procs'), 'utf8').trim().split('\n').map(Number);
          stop.abort();
        },
      },
      { cgroupLayout: layout },
    );
    assert.equal(result.status, 'STOPPED');
    assert.equal(pids.length, 3);
    assert.deepEqual(pids.filter(processExists), []);
    assert.equal(existsSync(leaf), false);
  });

  it('refuses a limit whose controller is not delegated, with advice; or applies it', async () => {
    const layout = v2Layout();
    const controllers = readFileSync(join(layout.unified ?? '', 'cgroup.controllers'), 'utf8');
    const { result } = await run(
      jobSpec('true', [], { resources: { maxMemory: 64 << 20 } }),
      {},
      {
        cgroupLayout: layout,
      },
    );
    if (controllers.split(/\s+/).includes('memory')) {
      assert.equal(result.status, 'COMPLETED');
    } else {
      assert.equal(result.reason, 'start-failed');
      assert.equal(result.problem?.code, 'host-cgroup');
      assert.match(result.problem?.message ?? '', /memory is not available in rnx's cgroup/);
      assert.match(result.problem?.hint ?? '', /Delegate=yes/);
    }
  });
});
