/**
 * What rnx tells rnx-sandbox of a job's cgroups and what it reads back (cgroups/sandbox-cgroups.ts),
 * on literal plans: the options in order, the report, and the cgroups as made when an optional
 * directory could not be.
 */
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { CgroupPlan } from '../../src/isolation/cgroups/job-cgroup.js';
import {
  cgroupReportIn,
  sandboxCgroupArgs,
  sandboxMade,
} from '../../src/isolation/cgroups/sandbox-cgroups.js';
import { tempDir } from '../helpers/cli.js';

function plan(root: string): CgroupPlan {
  const pids = join(root, 'pids', 'rnx-a');
  const unified = join(root, 'unified', 'rnx-a');
  return {
    required: [pids],
    optional: [unified],
    writes: [
      { file: join(pids, 'pids.max'), value: '50', optional: false },
      { file: join(pids, 'extra'), value: '1', optional: true },
    ],
    cgroup: {
      version: 'v1',
      dirs: [pids, unified],
      procsFiles: [join(pids, 'cgroup.procs'), join(unified, 'cgroup.procs')],
      trackDir: pids,
      killFile: join(unified, 'cgroup.kill'),
    },
  };
}

describe('the cgroups rnx-sandbox owns', () => {
  it('are passed as options: directories, limits, then the readings', () => {
    const args = sandboxCgroupArgs(plan('/cg'));
    assert.deepEqual(args.slice(0, 10), [
      '--cgroup',
      '/cg/pids/rnx-a',
      '--cgroup-if',
      '/cg/unified/rnx-a',
      '--cgroup-set',
      '/cg/pids/rnx-a/pids.max',
      '50',
      '--cgroup-try',
      '/cg/pids/rnx-a/extra',
      '1',
    ]);
    assert.deepEqual(args.slice(10), [
      '--cgroup-read',
      'procs',
      '/cg/pids/rnx-a/pids.current',
      '=',
    ]);
  });

  it('are read back from the status line, unknown fields ignored', () => {
    assert.deepEqual(
      cgroupReportIn({ cgroup: { removed: true, 'cpu-ns': 2000, peak: 4096, other: 1 } }),
      { removed: true, readings: { 'cpu-ns': 2000, peak: 4096 } },
    );
    assert.deepEqual(cgroupReportIn({ cgroup: {} }), { removed: false, readings: {} });
    assert.equal(cgroupReportIn({ 'exit-code': 0 }), undefined);
  });

  it('leave out an optional directory that could not be made, and its cgroup.kill', () => {
    const scratch = tempDir('rnx-sandbox-cgroups-');
    try {
      const p = plan(scratch.dir);
      const missing = sandboxMade(p);
      assert.deepEqual(missing.dirs, [join(scratch.dir, 'pids', 'rnx-a')]);
      assert.deepEqual(missing.procsFiles, [join(scratch.dir, 'pids', 'rnx-a', 'cgroup.procs')]);
      assert.equal(missing.killFile, undefined);
      mkdirSync(join(scratch.dir, 'unified', 'rnx-a'), { recursive: true });
      assert.equal(sandboxMade(p), p.cgroup);
    } finally {
      scratch.cleanup();
    }
  });
});
