/**
 * A job's `resources` as container limits. `max_cpu` is percent of one core, so 250 is 2.5 cores,
 * `2500m`; `max_memory` is bytes, written in Mi or Gi when exact. The other limits have no
 * portable Kubernetes equivalent and are reported, each saying what the job loses.
 */
import type { PlannedJob } from '../../validate/model.js';
import type { Report } from './report.js';

export interface Limits {
  readonly cpu?: string;
  readonly memory?: string;
}

const MI = 1024 * 1024;
const GI = 1024 * MI;

/** `250` (percent of one core) -> `2500m`. */
export function cpuQuantity(percent: number): string {
  return `${Math.round(percent * 10)}m`;
}

/** Bytes as a Kubernetes quantity: `2Gi`, `512Mi`, or plain bytes. */
export function memoryQuantity(bytes: number): string {
  if (bytes % GI === 0) return `${bytes / GI}Gi`;
  if (bytes % MI === 0) return `${bytes / MI}Mi`;
  return String(bytes);
}

export function limitsOf(job: PlannedJob, report: Report): Limits {
  const r = job.resources;
  const at = (key: string): (string | number)[] => ['resources', key];
  if (r.maxProcesses !== undefined && r.maxProcesses > 0) {
    report.warning(
      report.job(job.name, ...at('max_processes')),
      'argo-no-pids-limit',
      `max_processes of job '${job.name}' is not exported: Kubernetes has no per-container process limit (a node's kubelet sets one for all pods)`,
      'the job runs without a limit on its number of processes',
    );
  }
  if (r.maxIoBps !== undefined) {
    // Joblet spells it `max_io_bps`: point at the key the file uses.
    const key = report.has(report.job(job.name, ...at('max_iobps'))) ? 'max_iobps' : 'max_io_bps';
    report.warning(
      report.job(job.name, ...at(key)),
      'argo-no-io-limit',
      `${key} of job '${job.name}' is not exported: Kubernetes has no disk bandwidth limit for containers`,
      'the job runs without a limit on its disk I/O',
    );
  }
  if (r.cpuCores !== undefined) {
    report.warning(
      report.job(job.name, ...at('cpu_cores')),
      'argo-no-cpu-pinning',
      `cpu_cores of job '${job.name}' is not exported: which CPUs a pod runs on is the node's CPU manager policy, not the pod's`,
      'the job may run on any CPU of its node',
    );
  }
  return {
    ...(r.maxCpu === undefined ? {} : { cpu: cpuQuantity(r.maxCpu) }),
    ...(r.maxMemory === undefined ? {} : { memory: memoryQuantity(r.maxMemory) }),
  };
}
