import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  cpuQuotaUs,
  v1ControllersFor,
  v1LimitWrites,
  v2ControllersFor,
  v2LimitWrites,
} from '../../src/isolation/cgroups/limits.js';

const DISKS = [{ name: 'vda', device: '254:0' }];

describe('job limits as cgroup file writes', () => {
  it('turns percent of one core into a CFS quota of the 100 ms period', () => {
    assert.equal(cpuQuotaUs(50), 50_000);
    assert.equal(cpuQuotaUs(150), 150_000);
    assert.equal(cpuQuotaUs(0.1), 1000);
  });

  it('v1: always tracks with pids, adds one controller per limit', () => {
    assert.deepEqual(v1ControllersFor({}), ['pids']);
    assert.deepEqual(v1ControllersFor({ maxMemory: 1, maxCpu: 5, maxIoBps: 1, cpuCores: '0' }), [
      'pids',
      'memory',
      'cpu',
      'blkio',
      'cpuset',
    ]);
  });

  it('v1: writes memory and memory+swap, quota, pids, and per-device throttles', () => {
    const writes = v1LimitWrites(
      { maxMemory: 64 << 20, maxCpu: 25, maxProcesses: 10, maxIoBps: 1 << 20 },
      DISKS,
    );
    assert.deepEqual(
      writes.map((w) => `${w.controller}/${w.file}=${w.value}${w.optional ? '?' : ''}`),
      [
        'memory/memory.limit_in_bytes=67108864',
        'memory/memory.memsw.limit_in_bytes=67108864?',
        'cpu/cpu.cfs_period_us=100000',
        'cpu/cpu.cfs_quota_us=25000',
        'pids/pids.max=10',
        'blkio/blkio.throttle.read_bps_device=254:0 1048576',
        'blkio/blkio.throttle.write_bps_device=254:0 1048576',
      ],
    );
  });

  it('v1: a cpuset gets its CPUs and the parent memory nodes before anything joins', () => {
    const writes = v1LimitWrites({ cpuCores: '1' }, [], '0-1');
    assert.deepEqual(
      writes.map((w) => `${w.file}=${w.value}`),
      ['cpuset.cpus=1', 'cpuset.mems=0-1'],
    );
  });

  it('v2: one leaf, controllers only for the limits asked', () => {
    assert.deepEqual(v2ControllersFor({}), []);
    assert.deepEqual(v2ControllersFor({ maxMemory: 1, maxIoBps: 1 }), ['memory', 'io']);
    const writes = v2LimitWrites(
      { maxMemory: 1 << 30, maxCpu: 50, maxProcesses: 5, maxIoBps: 2048, cpuCores: '0-1' },
      DISKS,
    );
    assert.deepEqual(
      writes.map((w) => `${w.file}=${w.value}`),
      [
        'cpuset.cpus=0-1',
        'memory.max=1073741824',
        'memory.swap.max=0',
        'cpu.max=50000 100000',
        'pids.max=5',
        'io.max=254:0 rbps=2048 wbps=2048',
      ],
    );
  });
});
