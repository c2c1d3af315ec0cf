/**
 * One cgroup per job, beneath rnx's own cgroup in each hierarchy, named `rnx-<jobid>`. Limits are
 * written before the job's command runs (the job's init joins the cgroups, then waits for the go).
 * v1: one directory per controller the job needs (pids always: it lists the job's processes), plus
 * a directory in the unified hierarchy when one is mounted, for its cgroup.kill. v2: one leaf.
 * The processes inside are handled by procs.ts.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { readIfAny } from '../../read-if-any.js';
import { mkdir } from '../../async-fs.js';
import { fail, ok, type Problem, type Result } from '../../problem.js';
import type { Resources } from '../../validate/model.js';
import { blockDevices } from './block-devices.js';
import { tryRmdir } from './procs.js';
import { readingOf } from './metrics.js';
import { cgroupLayout, type CgroupLayout, type V1Controller } from './layout.js';
import {
  v1ControllersFor,
  v1LimitWrites,
  v2ControllersFor,
  v2LimitWrites,
  type LimitWrite,
} from './limits.js';
import { enableV2Controllers } from './delegation.js';
import { formatCpuList, parseCpuList } from '../../units.js';

export interface JobCgroup {
  readonly version: 'v1' | 'v2';
  /** Every directory created for the job. */
  readonly dirs: readonly string[];
  /** The cgroup.procs files the job's init writes `0` into (joining moves itself; children follow). */
  readonly procsFiles: readonly string[];
  /** The directory whose cgroup.procs lists every process of the job. */
  readonly trackDir: string;
  /** cgroup.kill of the job's unified cgroup, when the kernel has one. */
  readonly killFile?: string;
  /** Where the OOM killer's kills are counted (v1 memory dir, or the v2 leaf). */
  readonly memoryDir?: string;
}

const HOST_HINT = "see 'rnx system check'";

export function cgroupName(jobId: string): string {
  return `rnx-${jobId}`;
}

/**
 * What a job's cgroups will be, before anything is made: the directories (in the order they are
 * made), the limits to write into them, and the JobCgroup they make up. Reads the parent's CPU
 * set for `cpuCores` and, on v2, delegates the controllers to rnx's cgroup (delegation.ts).
 * Made by rnx (createJobCgroup) or by rnx-sandbox (sandbox-cgroups.ts).
 */
export interface CgroupPlan {
  readonly cgroup: JobCgroup;
  /** Directories whose making fails the start. */
  readonly required: readonly string[];
  /** Made where they can be: the unified directory of a hybrid layout (cgroup.kill only). */
  readonly optional: readonly string[];
  /** The limits, each a file and its value, written in order once the directories exist. */
  readonly writes: readonly PlannedWrite[];
}

export interface PlannedWrite {
  readonly file: string;
  readonly value: string;
  /** Its failure is ignored (LimitWrite.optional). */
  readonly optional: boolean;
}

export function planJobCgroup(
  jobId: string,
  resources: Resources,
  layout?: CgroupLayout,
): Result<CgroupPlan> {
  const chosen = layout ?? cgroupLayout();
  return chosen.version === 'v1'
    ? planV1(jobId, resources, chosen)
    : planV2(jobId, resources, chosen);
}

/**
 * Makes the job's cgroups in rnx. Their directories are made at once, off rnx's thread (a
 * cgroup's mkdir takes the kernel 15 to 100 us, one to six of them per job), so that the caller
 * can go on with the job's start meanwhile; the limits are written once they exist.
 */
export async function createJobCgroup(
  jobId: string,
  resources: Resources,
  layout?: CgroupLayout,
): Promise<Result<JobCgroup>> {
  const planned = planJobCgroup(jobId, resources, layout);
  if (!planned.ok) return planned;
  const plan = planned.value;
  const made: string[] = [];
  const failures = await makeDirs([...plan.required, ...plan.optional], made);
  const failed = plan.required.map((dir) => failures.get(dir)).find((f) => f !== undefined);
  const written =
    failed === undefined ? applyWrites(plan.writes) : { ok: false as const, problem: failed };
  if (!written.ok) {
    for (const dir of made.reverse()) tryRmdir(dir);
    return written;
  }
  const { killFile, ...cgroup } = withoutDirs(
    plan.cgroup,
    plan.optional.filter((dir) => failures.has(dir)),
  );
  // A kernel without cgroup.kill: signals alone stop the job.
  return ok(killFile !== undefined && existsSync(killFile) ? { ...cgroup, killFile } : cgroup);
}

/**
 * The job's cgroups without the optional directories that could not be made (`lost`): nothing
 * may join them (an exec probe joins every cgroup.procs of the job) or write their cgroup.kill.
 */
export function withoutDirs(cgroup: JobCgroup, lost: readonly string[]): JobCgroup {
  if (lost.length === 0) return cgroup;
  const kept = (path: string): boolean => !lost.some((dir) => path.startsWith(`${dir}/`));
  const { killFile, ...rest } = cgroup;
  return {
    ...rest,
    dirs: rest.dirs.filter((dir) => !lost.includes(dir)),
    procsFiles: rest.procsFiles.filter(kept),
    ...(killFile === undefined || !kept(killFile) ? {} : { killFile }),
  };
}

/**
 * Makes `dirs` in parallel; those made are pushed on `made` in the order of `dirs` (so that `made`
 * reversed removes the unified directory first, as before). Returns the problem of each that failed.
 */
async function makeDirs(dirs: readonly string[], made: string[]): Promise<Map<string, Problem>> {
  const settled = await Promise.allSettled(dirs.map((dir) => mkdir(dir, {})));
  const failures = new Map<string, Problem>();
  settled.forEach((outcome, i) => {
    const dir = dirs[i] ?? '';
    if (outcome.status === 'fulfilled') made.push(dir);
    else {
      failures.set(dir, {
        code: 'host-cgroup',
        message: `could not create cgroup ${dir}: ${(outcome.reason as Error).message}`,
        hint: HOST_HINT,
      });
    }
  });
  return failures;
}

/** Joins the init script can make (it opens the cgroup files as fds 4-9). */
const MAX_JOINS = 6;

/**
 * The v1 controllers a job's metrics come from (memory, block I/O, CPU time), added to those its
 * limits need when they are mounted and the job's init can join them all.
 */
function withMetrics(wanted: readonly V1Controller[], layout: CgroupLayout): V1Controller[] {
  const all = [...wanted];
  const room = MAX_JOINS - (layout.unified === undefined ? 0 : 1);
  for (const extra of ['memory', 'blkio', 'cpuacct'] as const) {
    if (all.length >= room) break;
    if (!all.includes(extra) && layout.v1[extra] !== undefined) all.push(extra);
  }
  return all;
}

function planV1(jobId: string, resources: Resources, layout: CgroupLayout): Result<CgroupPlan> {
  const dirs: Partial<Record<LimitWrite['controller'] | V1Controller, string>> = {};
  for (const controller of withMetrics(v1ControllersFor(resources), layout)) {
    const own = layout.v1[controller];
    if (own === undefined) {
      return fail('host-cgroup', `the ${controller} cgroup controller is not mounted`, HOST_HINT);
    }
    dirs[controller] = join(own, cgroupName(jobId));
  }
  let parentMems = '0';
  if (resources.cpuCores !== undefined) {
    const own = layout.v1.cpuset ?? '';
    const checked = checkCpus(
      resources.cpuCores,
      read(join(own, 'cpuset.effective_cpus')) ?? read(join(own, 'cpuset.cpus')),
    );
    if (!checked.ok) return checked;
    parentMems = read(join(own, 'cpuset.effective_mems')) ?? read(join(own, 'cpuset.mems')) ?? '0';
  }
  const v1Dirs = [...new Set(Object.values(dirs))];
  // The unified directory is for cgroup.kill and the job's events only: the job runs without it.
  const unified =
    layout.unified === undefined ? undefined : join(layout.unified, cgroupName(jobId));
  const devices = resources.maxIoBps === undefined ? [] : blockDevices();
  const all = unified === undefined ? v1Dirs : [...v1Dirs, unified];
  return ok({
    required: v1Dirs,
    optional: unified === undefined ? [] : [unified],
    writes: planWrites(v1LimitWrites(resources, devices, parentMems), dirs),
    cgroup: {
      version: 'v1',
      dirs: all,
      procsFiles: all.map((dir) => join(dir, 'cgroup.procs')),
      trackDir: dirs.pids ?? '',
      ...(unified === undefined ? {} : { killFile: join(unified, 'cgroup.kill') }),
      ...(dirs.memory === undefined ? {} : { memoryDir: dirs.memory }),
    },
  });
}

function planV2(jobId: string, resources: Resources, layout: CgroupLayout): Result<CgroupPlan> {
  if (layout.unified === undefined) {
    return fail(
      'host-cgroup',
      'no cgroup hierarchy is mounted (neither v1 controllers nor cgroup2)',
      HOST_HINT,
    );
  }
  // memory and io too, for the job's metrics, when they can be had; the limits' own otherwise.
  const needed = v2ControllersFor(resources);
  const withMetrics = [...new Set([...needed, 'memory', 'io'])];
  const metered = enableV2Controllers(layout, withMetrics);
  const parent = metered.ok ? metered : enableV2Controllers(layout, needed);
  if (!parent.ok) return parent;
  if (resources.cpuCores !== undefined) {
    const checked = checkCpus(
      resources.cpuCores,
      read(join(parent.value, 'cpuset.cpus.effective')),
    );
    if (!checked.ok) return checked;
  }
  const dir = join(parent.value, cgroupName(jobId));
  const devices = resources.maxIoBps === undefined ? [] : blockDevices();
  return ok({
    required: [dir],
    optional: [],
    writes: planWrites(v2LimitWrites(resources, devices), { unified: dir }),
    cgroup: {
      version: 'v2',
      dirs: [dir],
      procsFiles: [join(dir, 'cgroup.procs')],
      trackDir: dir,
      killFile: join(dir, 'cgroup.kill'),
      memoryDir: dir,
    },
  });
}

function checkCpus(wanted: string, available: string | undefined): Result<void> {
  if (available === undefined || available === '') return ok(undefined);
  const parent = parseCpuList(available, 4096);
  const cpus = parseCpuList(wanted, 4096);
  if (!cpus.ok) return cpus;
  const allowed = new Set(parent.ok ? parent.value : cpus.value);
  const outside = cpus.value.filter((cpu) => !allowed.has(cpu));
  if (outside.length > 0) {
    return fail(
      'invalid-cpu-set',
      `CPU ${formatCpuList(outside)} is not available to rnx (allowed: ${available})`,
    );
  }
  return ok(undefined);
}

function planWrites(
  writes: readonly LimitWrite[],
  dirs: Partial<Record<LimitWrite['controller'], string>>,
): PlannedWrite[] {
  return writes.flatMap((write) => {
    const dir = dirs[write.controller];
    return dir === undefined
      ? []
      : [{ file: join(dir, write.file), value: write.value, optional: write.optional === true }];
  });
}

function applyWrites(writes: readonly PlannedWrite[]): Result<void> {
  for (const write of writes) {
    if (write.optional && !existsSync(write.file)) continue;
    try {
      writeFileSync(write.file, write.value);
    } catch (error) {
      if (write.optional) continue;
      return fail(
        'host-cgroup',
        `could not set ${basename(write.file)} to '${write.value}': ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
        HOST_HINT,
      );
    }
  }
  return ok(undefined);
}

function read(file: string): string | undefined {
  return readIfAny(file)?.trim();
}

/** How many processes of the job the OOM killer killed. */
export function oomKills(cgroup: Pick<JobCgroup, 'version' | 'memoryDir'>): number {
  if (cgroup.memoryDir === undefined) return 0;
  const file = cgroup.version === 'v1' ? 'memory.oom_control' : 'memory.events';
  return readingOf(read(join(cgroup.memoryDir, file)) ?? '', 'oom_kill ') ?? 0;
}
