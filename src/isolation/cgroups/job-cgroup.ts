/**
 * One cgroup per job, beneath rnx's own cgroup in each hierarchy, named `rnx-<jobid>`. Limits are
 * written before the job's command runs (the job's init joins the cgroups, then waits for the go).
 * v1: one directory per controller the job needs (pids always: it lists the job's processes), plus
 * a directory in the unified hierarchy when one is mounted, for its cgroup.kill. v2: one leaf.
 * The processes inside are handled by procs.ts.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readIfAny } from '../../read-if-any.js';
import { mkdir } from '../../async-fs.js';
import { fail, ok, type Problem, type Result } from '../../problem.js';
import type { Resources } from '../../validate/model.js';
import { blockDevices } from './block-devices.js';
import { tryRmdir } from './procs.js';
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
 * Makes the job's cgroups. Their directories are made at once, off rnx's thread (a cgroup's mkdir
 * takes the kernel 15 to 100 us, one to six of them per job), so that the caller can go on with
 * the job's start meanwhile; the limits are written once they exist.
 */
export async function createJobCgroup(
  jobId: string,
  resources: Resources,
  layout?: CgroupLayout,
): Promise<Result<JobCgroup>> {
  const chosen = layout ?? cgroupLayout();
  const made: string[] = [];
  const result =
    chosen.version === 'v1'
      ? await createV1(jobId, resources, chosen, made)
      : await createV2(jobId, resources, chosen, made);
  if (!result.ok) for (const dir of made.reverse()) tryRmdir(dir);
  return result;
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

async function createV1(
  jobId: string,
  resources: Resources,
  layout: CgroupLayout,
  made: string[],
): Promise<Result<JobCgroup>> {
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
  const v1Dirs = Object.values(dirs);
  // The unified directory is for cgroup.kill and the job's events only: the job runs without it.
  const unified =
    layout.unified === undefined ? undefined : join(layout.unified, cgroupName(jobId));
  const failures = await makeDirs(unified === undefined ? v1Dirs : [...v1Dirs, unified], made);
  const failed = v1Dirs.map((dir) => failures.get(dir)).find((f) => f !== undefined);
  if (failed !== undefined) return { ok: false, problem: failed };
  const devices = resources.maxIoBps === undefined ? [] : blockDevices();
  const written = applyWrites(v1LimitWrites(resources, devices, parentMems), dirs);
  if (!written.ok) return written;
  const pidsDir = dirs.pids ?? '';
  const procsFiles = v1Dirs.map((dir) => join(dir, 'cgroup.procs'));
  let killFile: string | undefined;
  if (unified !== undefined && !failures.has(unified)) {
    procsFiles.push(join(unified, 'cgroup.procs'));
    if (existsSync(join(unified, 'cgroup.kill'))) killFile = join(unified, 'cgroup.kill');
  }
  return ok({
    version: 'v1',
    dirs: [...made],
    procsFiles,
    trackDir: pidsDir,
    ...(killFile === undefined ? {} : { killFile }),
    ...(dirs.memory === undefined ? {} : { memoryDir: dirs.memory }),
  });
}

async function createV2(
  jobId: string,
  resources: Resources,
  layout: CgroupLayout,
  made: string[],
): Promise<Result<JobCgroup>> {
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
  const failed = (await makeDirs([dir], made)).get(dir);
  if (failed !== undefined) return { ok: false, problem: failed };
  const devices = resources.maxIoBps === undefined ? [] : blockDevices();
  const written = applyWrites(v2LimitWrites(resources, devices), { unified: dir });
  if (!written.ok) return written;
  const killFile = join(dir, 'cgroup.kill');
  return ok({
    version: 'v2',
    dirs: [dir],
    procsFiles: [join(dir, 'cgroup.procs')],
    trackDir: dir,
    ...(existsSync(killFile) ? { killFile } : {}),
    memoryDir: dir,
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

function applyWrites(
  writes: readonly LimitWrite[],
  dirs: Partial<Record<LimitWrite['controller'], string>>,
): Result<void> {
  for (const write of writes) {
    const dir = dirs[write.controller];
    if (dir === undefined) continue;
    const file = join(dir, write.file);
    if (write.optional && !existsSync(file)) continue;
    try {
      writeFileSync(file, write.value);
    } catch (error) {
      if (write.optional) continue;
      return fail(
        'host-cgroup',
        `could not set ${write.file} to '${write.value}': ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
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
  const match = /^oom_kill (\d+)$/m.exec(read(join(cgroup.memoryDir, file)) ?? '');
  return match ? Number(match[1]) : 0;
}
