/**
 * cgroup v2 delegation decisions, on a directory laid out like a cgroup (cgroupfs itself cannot
 * be made to refuse or accept at will; the kernel side runs in cgroup-v2.test.ts).
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { enableV2Controllers } from '../../src/isolation/cgroups/delegation.js';
import type { CgroupLayout } from '../../src/isolation/cgroups/layout.js';
import { tempDir } from '../helpers/cli.js';

describe('enabling v2 controllers for job cgroups', () => {
  let dir: { dir: string; cleanup: () => void };
  let layout: CgroupLayout;
  beforeEach(() => {
    dir = tempDir('rnx-deleg-');
    writeFileSync(join(dir.dir, 'cgroup.controllers'), 'cpuset cpu io memory pids\n');
    writeFileSync(join(dir.dir, 'cgroup.subtree_control'), '');
    layout = { version: 'v2', v1: {}, unified: dir.dir, unifiedRoot: '/sys/fs/cgroup' };
  });
  afterEach(() => dir.cleanup());

  it('enables exactly the missing controllers in rnx own cgroup', () => {
    writeFileSync(join(dir.dir, 'cgroup.subtree_control'), 'memory\n');
    const result = enableV2Controllers(layout, ['memory', 'io', 'pids']);
    assert.deepEqual(result, { ok: true, value: dir.dir });
    assert.equal(readFileSync(join(dir.dir, 'cgroup.subtree_control'), 'utf8'), '+io +pids');
  });

  it('writes nothing when the controllers are enabled already', () => {
    writeFileSync(join(dir.dir, 'cgroup.subtree_control'), 'cpu io memory\n');
    assert.ok(enableV2Controllers(layout, ['cpu', 'memory']).ok);
    assert.equal(readFileSync(join(dir.dir, 'cgroup.subtree_control'), 'utf8'), 'cpu io memory\n');
  });

  it('refuses a controller that is not delegated to rnx, with advice', () => {
    writeFileSync(join(dir.dir, 'cgroup.controllers'), 'cpu pids\n');
    const result = enableV2Controllers(layout, ['memory', 'io']);
    assert.equal(result.ok, false);
    if (result.ok) return;
    assert.equal(result.problem.code, 'host-cgroup');
    assert.match(
      result.problem.message,
      /controllers memory, io are not available in rnx's cgroup/,
    );
    assert.match(result.problem.hint ?? '', /systemd-run --scope -p Delegate=yes/);
  });

  it('needs nothing for a job without limits', () => {
    writeFileSync(join(dir.dir, 'cgroup.controllers'), '');
    assert.deepEqual(enableV2Controllers(layout, []), { ok: true, value: dir.dir });
  });
});
