import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { metricsOf, readingOf, usageReadings } from '../../src/isolation/cgroups/metrics.js';
import { formatBytes } from '../../src/units.js';

describe('job metrics from cgroup files', () => {
  it('sums block I/O over every disk (v1 blkio and v2 io.stat)', () => {
    const v1 = '8:0 Read 4096\n8:0 Write 100\n8:16 Read 10\n8:16 Sync 999\nTotal 5\n';
    assert.equal(readingOf(v1, 'Read '), 4106);
    assert.equal(readingOf(v1, 'Write '), 100);
    const v2 = '8:0 rbytes=4096 wbytes=512 rios=1 wios=1\n8:16 rbytes=4 wbytes=0\n';
    assert.equal(readingOf(v2, 'rbytes='), 4100);
    assert.equal(readingOf(v2, 'wbytes='), 512);
  });

  it('reads a token only where it starts a word, and a whole file as one number', () => {
    const oom = 'oom_kill_disable 0\nunder_oom 0\noom_kill 3\n';
    assert.equal(readingOf(oom, 'oom_kill '), 3);
    assert.equal(readingOf('xoom_kill 5\n', 'oom_kill '), undefined);
    assert.equal(readingOf('123456789\n', '='), 123456789);
    assert.equal(readingOf('', '='), undefined);
  });

  it('reads each file in its controller’s directory, and turns readings into metrics', () => {
    const readings = usageReadings({
      version: 'v1',
      dirs: ['/cg/pids/rnx-a', '/cg/cpu,cpuacct/rnx-a', '/cg/memory/x/rnx-a'],
    });
    const files = new Map(readings.map((r) => [r.name, r.file]));
    assert.equal(files.get('procs'), '/cg/pids/rnx-a/pids.current');
    assert.equal(files.get('cpu-ns'), '/cg/cpu,cpuacct/rnx-a/cpuacct.usage');
    assert.equal(files.get('peak'), '/cg/memory/x/rnx-a/memory.max_usage_in_bytes');
    // No blkio directory: no block I/O reading.
    assert.equal(files.has('rd'), false);
    assert.deepEqual(metricsOf({ 'cpu-ns': 2_500_600, peak: 4096, procs: 0 }), {
      cpuUsec: 2501,
      memoryPeakBytes: 4096,
      processes: 0,
    });
    assert.deepEqual(metricsOf({ 'cpu-us': 7, rd: 1, wr: 2 }), {
      cpuUsec: 7,
      ioReadBytes: 1,
      ioWriteBytes: 2,
    });
  });

  it('writes sizes the way limits are written', () => {
    assert.equal(formatBytes(512), '512B');
    assert.equal(formatBytes(1536), '1.5K');
    assert.equal(formatBytes(53 * 1024 * 1024), '53.0M');
  });
});
