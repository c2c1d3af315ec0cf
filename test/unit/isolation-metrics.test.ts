import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { blkioBytes, ioStatBytes } from '../../src/isolation/cgroups/metrics.js';
import { formatBytes } from '../../src/units.js';

describe('job metrics from cgroup files', () => {
  it('sums block I/O over every disk (v1 blkio and v2 io.stat)', () => {
    const v1 = '8:0 Read 4096\n8:0 Write 100\n8:16 Read 10\n8:16 Sync 999\nTotal 5\n';
    assert.deepEqual(blkioBytes(v1), { read: 4106, written: 100 });
    const v2 = '8:0 rbytes=4096 wbytes=512 rios=1 wios=1\n8:16 rbytes=4 wbytes=0\n';
    assert.deepEqual(ioStatBytes(v2), { read: 4100, written: 512 });
  });

  it('writes sizes the way limits are written', () => {
    assert.equal(formatBytes(512), '512B');
    assert.equal(formatBytes(1536), '1.5K');
    assert.equal(formatBytes(53 * 1024 * 1024), '53.0M');
  });
});
