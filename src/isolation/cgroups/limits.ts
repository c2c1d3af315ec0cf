/**
 * What to write into a job's cgroups for its limits, as plain data: one file write per limit, per
 * cgroup version. Pure, so the translation (percent of a core → CFS quota, bytes/s per block device,
 * cpuset lists) is unit-tested on literal values; job-cgroup.ts does the writing.
 */
import type { Resources } from '../../validate/model.js';
import type { V1Controller } from './layout.js';

export interface LimitWrite {
  /** v1: the controller whose job cgroup holds the file; v2: `unified`. */
  readonly controller: V1Controller | 'unified';
  readonly file: string;
  readonly value: string;
  /** Skip silently when the file does not exist (e.g. swap accounting switched off). */
  readonly optional?: boolean;
}

export interface BlockDevice {
  readonly name: string;
  /** `major:minor`. */
  readonly device: string;
}

/** CFS period used for CPU quotas: 100 ms, the kernel's default. */
export const CPU_PERIOD_US = 100_000;

export function cpuQuotaUs(percentOfOneCore: number): number {
  return Math.max(1000, Math.round((percentOfOneCore / 100) * CPU_PERIOD_US));
}

/** v1 controllers a job needs: pids always (it lists the job's processes), the rest per limit. */
export function v1ControllersFor(resources: Resources): V1Controller[] {
  const wanted: V1Controller[] = ['pids'];
  if (resources.maxMemory !== undefined) wanted.push('memory');
  if (resources.maxCpu !== undefined) wanted.push('cpu');
  if (resources.maxIoBps !== undefined) wanted.push('blkio');
  if (resources.cpuCores !== undefined) wanted.push('cpuset');
  return wanted;
}

/** v2 controllers to enable for the job's leaf cgroup. */
export function v2ControllersFor(resources: Resources): string[] {
  const wanted: string[] = [];
  if (resources.maxMemory !== undefined) wanted.push('memory');
  if (resources.maxCpu !== undefined) wanted.push('cpu');
  if (resources.maxIoBps !== undefined) wanted.push('io');
  if (resources.cpuCores !== undefined) wanted.push('cpuset');
  if (resources.maxProcesses !== undefined) wanted.push('pids');
  return wanted;
}

export function v1LimitWrites(
  resources: Resources,
  devices: readonly BlockDevice[],
  parentMems = '0',
): LimitWrite[] {
  const writes: LimitWrite[] = [];
  if (resources.cpuCores !== undefined) {
    // A fresh v1 cpuset has no CPUs and no memory nodes: a task cannot join it until both are set.
    writes.push({ controller: 'cpuset', file: 'cpuset.cpus', value: resources.cpuCores });
    writes.push({ controller: 'cpuset', file: 'cpuset.mems', value: parentMems });
  }
  if (resources.maxMemory !== undefined) {
    const bytes = String(resources.maxMemory);
    writes.push({ controller: 'memory', file: 'memory.limit_in_bytes', value: bytes });
    // memory+swap at the same value: the job cannot escape its limit into swap.
    writes.push({
      controller: 'memory',
      file: 'memory.memsw.limit_in_bytes',
      value: bytes,
      optional: true,
    });
  }
  if (resources.maxCpu !== undefined) {
    writes.push({ controller: 'cpu', file: 'cpu.cfs_period_us', value: String(CPU_PERIOD_US) });
    writes.push({
      controller: 'cpu',
      file: 'cpu.cfs_quota_us',
      value: String(cpuQuotaUs(resources.maxCpu)),
    });
  }
  if (resources.maxProcesses !== undefined) {
    writes.push({ controller: 'pids', file: 'pids.max', value: String(resources.maxProcesses) });
  }
  if (resources.maxIoBps !== undefined) {
    for (const { device } of devices) {
      const value = `${device} ${String(resources.maxIoBps)}`;
      writes.push({ controller: 'blkio', file: 'blkio.throttle.read_bps_device', value });
      writes.push({ controller: 'blkio', file: 'blkio.throttle.write_bps_device', value });
    }
  }
  return writes;
}

export function v2LimitWrites(resources: Resources, devices: readonly BlockDevice[]): LimitWrite[] {
  const writes: LimitWrite[] = [];
  const unified = 'unified' as const;
  if (resources.cpuCores !== undefined) {
    writes.push({ controller: unified, file: 'cpuset.cpus', value: resources.cpuCores });
  }
  if (resources.maxMemory !== undefined) {
    writes.push({ controller: unified, file: 'memory.max', value: String(resources.maxMemory) });
    writes.push({ controller: unified, file: 'memory.swap.max', value: '0', optional: true });
  }
  if (resources.maxCpu !== undefined) {
    const quota = String(cpuQuotaUs(resources.maxCpu));
    writes.push({
      controller: unified,
      file: 'cpu.max',
      value: `${quota} ${String(CPU_PERIOD_US)}`,
    });
  }
  if (resources.maxProcesses !== undefined) {
    writes.push({ controller: unified, file: 'pids.max', value: String(resources.maxProcesses) });
  }
  if (resources.maxIoBps !== undefined) {
    const bps = String(resources.maxIoBps);
    for (const { device } of devices) {
      writes.push({
        controller: unified,
        file: 'io.max',
        value: `${device} rbps=${bps} wbps=${bps}`,
      });
    }
  }
  return writes;
}
