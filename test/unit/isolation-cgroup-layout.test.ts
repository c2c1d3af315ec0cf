import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseProcCgroup, resolveLayout } from '../../src/isolation/cgroups/layout.js';

const HYBRID_CGROUP = `9:name=systemd:/
8:pids:/
7:blkio:/
4:memory:/process_api/b476
3:cpuset:/
2:cpuacct:/
1:cpu:/
0::/
`;
const HYBRID_MOUNTS = `30 25 0:26 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
31 30 0:27 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu
32 30 0:28 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct
33 30 0:29 / /sys/fs/cgroup/cpuset rw,relatime - cgroup cgroup rw,cpuset
34 30 0:30 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
36 30 0:32 / /sys/fs/cgroup/blkio rw,relatime - cgroup cgroup rw,blkio
37 30 0:33 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids
39 30 0:35 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
`;

describe('where rnx own cgroups are', () => {
  it('reads /proc/self/cgroup lines by hierarchy', () => {
    const paths = parseProcCgroup(HYBRID_CGROUP);
    assert.equal(paths.get('memory'), '/process_api/b476');
    assert.equal(paths.get(''), '/');
  });

  it('finds v1 controllers beneath rnx own cgroup, and the unified hierarchy for cgroup.kill', () => {
    const layout = resolveLayout(HYBRID_CGROUP, HYBRID_MOUNTS);
    assert.equal(layout.version, 'v1');
    assert.equal(layout.v1.memory, '/sys/fs/cgroup/memory/process_api/b476');
    assert.equal(layout.v1.pids, '/sys/fs/cgroup/pids');
    assert.equal(layout.v1.cpu, '/sys/fs/cgroup/cpu');
    assert.equal(layout.v1.blkio, '/sys/fs/cgroup/blkio');
    assert.equal(layout.v1.cpuset, '/sys/fs/cgroup/cpuset');
    assert.equal(layout.unified, '/sys/fs/cgroup/unified');
  });

  it('finds comounted v1 controllers such as cpu,cpuacct', () => {
    const layout = resolveLayout(
      '4:cpu,cpuacct:/user.slice\n3:pids:/user.slice/u1\n',
      `31 30 0:27 / /sys/fs/cgroup/cpu,cpuacct rw - cgroup cgroup rw,cpu,cpuacct
37 30 0:33 / /sys/fs/cgroup/pids rw - cgroup cgroup rw,pids
`,
    );
    assert.equal(layout.v1.cpu, '/sys/fs/cgroup/cpu,cpuacct/user.slice');
    assert.equal(layout.v1.pids, '/sys/fs/cgroup/pids/user.slice/u1');
  });

  it('on pure cgroup v2 uses the unified path of rnx own cgroup', () => {
    const layout = resolveLayout(
      '0::/user.slice/user-0.slice/session-3.scope\n',
      '35 30 0:30 / /sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 rw,nsdelegate\n',
    );
    assert.equal(layout.version, 'v2');
    assert.equal(layout.unified, '/sys/fs/cgroup/user.slice/user-0.slice/session-3.scope');
    assert.equal(layout.unifiedRoot, '/sys/fs/cgroup');
  });

  it('inside a container whose cgroup mount shows only its own subtree', () => {
    const layout = resolveLayout(
      '0::/docker/abc123\n',
      '35 30 0:30 /docker/abc123 /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n',
    );
    assert.equal(layout.unified, '/sys/fs/cgroup');
  });
});
