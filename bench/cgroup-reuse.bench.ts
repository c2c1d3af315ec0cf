/**
 * Would reusing a job's cgroups (a pool of ready directories per state directory) beat making and
 * removing them for every job? Per job, alternated, medians, on rnx's real layout (the v1
 * hierarchies a job without limits joins, plus its unified leaf), each job a bubblewrap `true`:
 *   fresh         mkdir every directory, write a memory limit, join, rmdir every directory once
 *                 the job has left (what rnx does);
 *   reused        the same directories each time: every limit rewritten (unset = unlimited), every
 *                 counter the kernel lets reset reset (memory.max_usage_in_bytes, memory.failcnt
 *                 and their memsw twins, cpuacct.usage, blkio.reset_stats), the oom_kill count
 *                 read (the baseline it cannot reset), throttle rules cleared, the join, then
 *                 every cgroup.procs read to see it empty before it goes back;
 *   force_empty   the same, and memory.force_empty before it goes back;
 *   fresh memory  reused, but for a memory cgroup made and removed for the job.
 * Then whether reuse can be correct: the memory charged to a reused memory cgroup as each job
 * starts (what the jobs before left: a fresh cgroup has none) and the peak it reports for the
 * job, job after job, with and without force_empty, against a fresh cgroup's peak.
 *
 *   npm run bench -- cgroup-reuse
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cgroupLayout } from '../src/isolation/cgroups/layout.js';
import { fmt, median, pairwiseRatio } from './timing.js';

const ROUNDS = 40;
const REUSES = 12;
const LIMIT = String(256 << 20);

const layout = cgroupLayout();
const own = (['pids', 'memory', 'blkio', 'cpuacct'] as const).map((c) => layout.v1[c]);
if (layout.version !== 'v1' || own.some((d) => d === undefined) || layout.unified === undefined) {
  console.log('needs the v1 pids, memory, blkio and cpuacct hierarchies and a cgroup2 mount');
  process.exit(0);
}
const [pidsOwn = '', memoryOwn = '', blkioOwn = '', cpuacctOwn = ''] = own as string[];
const unifiedOwn = layout.unified;
const parents = [pidsOwn, memoryOwn, blkioOwn, cpuacctOwn, unifiedOwn];

const write = (file: string, value: string): void => writeFileSync(file, value);
const read = (file: string): string => readFileSync(file, 'utf8');
const usage = (dir: string): number => Number(read(join(dir, 'memory.usage_in_bytes')));

/** Microseconds `fn` took. */
function timed(fn: () => void): number {
  const start = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - start) / 1000;
}

/**
 * A sandboxed `true` whose shell is moved into `dirs` first; the microseconds of the join, once
 * the job has ended and its cgroup is empty.
 */
async function job(dirs: readonly string[]): Promise<number> {
  const child = spawn(
    'sh',
    [
      '-c',
      'read go; exec bwrap --unshare-all --die-with-parent --ro-bind / / --proc /proc --dev /dev --tmpfs /tmp true',
    ],
    { stdio: ['pipe', 'ignore', 'inherit'] },
  );
  const exited = new Promise((resolve) => child.on('exit', resolve));
  const joinUs = timed(() => {
    for (const dir of dirs) write(join(dir, 'cgroup.procs'), String(child.pid));
  });
  child.stdin.end('go\n');
  await exited;
  // Processes of an ended PID namespace take a moment to be released.
  for (let i = 0; i < 500 && read(join(dirs[0] ?? '', 'cgroup.procs')).trim() !== ''; i++) {
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  return joinUs;
}

/** Microseconds of one job's cgroup work: before its join, the join, after its end. */
type Parts = readonly [before: number, join: number, after: number];

let serial = 0;
/** The peak memory (kB) each fresh memory cgroup reported for its job. */
const freshPeaks: number[] = [];

function makeMemory(dir: string): void {
  mkdirSync(dir);
  write(join(dir, 'memory.limit_in_bytes'), LIMIT);
  write(join(dir, 'memory.memsw.limit_in_bytes'), LIMIT);
}

async function fresh(): Promise<Parts> {
  const name = `rnx-bench-fresh-${String(process.pid)}-${String(serial++)}`;
  const dirs = parents.map((p) => join(p, name));
  const make = timed(() => {
    for (const dir of dirs)
      if (dir.startsWith(memoryOwn)) makeMemory(dir);
      else mkdirSync(dir);
  });
  const joinUs = await job(dirs);
  freshPeaks.push(Number(read(join(dirs[1] ?? '', 'memory.max_usage_in_bytes'))) / 1024);
  const remove = timed(() => {
    for (const dir of [...dirs].reverse()) rmdirSync(dir);
  });
  return [make, joinUs, remove];
}

const spare = parents.map((p) => join(p, `rnx-bench-spare-${String(process.pid)}`));
const [pids = '', memory = '', blkio = '', cpuacct = ''] = spare;

/** The limits and counters of a memory cgroup made as a new job's. */
function takeMemory(dir: string): void {
  write(join(dir, 'memory.memsw.limit_in_bytes'), '-1');
  write(join(dir, 'memory.limit_in_bytes'), LIMIT);
  write(join(dir, 'memory.memsw.limit_in_bytes'), LIMIT);
  for (const file of ['memory.max_usage_in_bytes', 'memory.memsw.max_usage_in_bytes'])
    write(join(dir, file), '0');
  for (const file of ['memory.failcnt', 'memory.memsw.failcnt']) write(join(dir, file), '0');
  // oom_kill cannot be reset: its value now is the baseline the job's count is read against.
  void /^oom_kill (\d+)$/m.exec(read(join(dir, 'memory.oom_control')));
}

/** Every other limit and counter of the spare set made as a new job's. */
function takeOthers(): void {
  write(join(pids, 'pids.max'), 'max');
  write(join(cpuacct, 'cpuacct.usage'), '0');
  write(join(blkio, 'blkio.reset_stats'), '1');
  for (const file of ['blkio.throttle.read_bps_device', 'blkio.throttle.write_bps_device']) {
    for (const rule of read(join(blkio, file)).trim().split('\n').filter(Boolean)) {
      write(join(blkio, file), `${rule.split(' ')[0] ?? ''} 0`);
    }
  }
}

/**
 * The spare set for one job: `fe` also empties its memory cgroup (memory.force_empty) before it
 * goes back; `fresh-memory` makes and removes the memory cgroup and reuses the others.
 */
async function reused(mode: 'as-is' | 'fe' | 'fresh-memory'): Promise<Parts> {
  const memoryDir =
    mode === 'fresh-memory'
      ? join(memoryOwn, `rnx-bench-fresh-${String(process.pid)}-${String(serial++)}`)
      : memory;
  const dirs = spare.map((dir) => (dir === memory ? memoryDir : dir));
  const taken = timed(() => {
    if (mode === 'fresh-memory') makeMemory(memoryDir);
    else takeMemory(memoryDir);
    takeOthers();
  });
  const joinUs = await job(dirs);
  const put = timed(() => {
    for (const dir of dirs) if (read(join(dir, 'cgroup.procs')).trim() !== '') throw new Error();
    if (mode === 'fe') write(join(memoryDir, 'memory.force_empty'), '0');
    if (mode === 'fresh-memory') rmdirSync(memoryDir);
  });
  return [taken, joinUs, put];
}

/**
 * For each of REUSES jobs in the spare set: the memory charged to it as the job starts (what the
 * jobs before left) and the peak it reports for the job, in kB.
 */
async function reuses(forceEmpty: boolean): Promise<string[]> {
  write(join(memory, 'memory.force_empty'), '0');
  const seen: string[] = [];
  for (let i = 0; i < REUSES; i++) {
    takeMemory(memory);
    const start = usage(memory);
    await job(spare);
    const peak = Number(read(join(memory, 'memory.max_usage_in_bytes')));
    seen.push(`${String(Math.round(start / 1024))}/${String(Math.round(peak / 1024))}`);
    // What the kernel frees late (RCU) has had its time.
    await new Promise((resolve) => setTimeout(resolve, 50));
    if (forceEmpty) write(join(memory, 'memory.force_empty'), '0');
  }
  return seen;
}

const kinds = ['fresh', 'as-is', 'fe', 'fresh-memory'] as const;
type Kind = (typeof kinds)[number];
const labels: Record<Kind, string> = {
  fresh: 'fresh: mkdir, join, rmdir                          ',
  'as-is': 'reused: limits + counters rewritten, join          ',
  fe: 'reused, memory.force_empty before it goes back     ',
  'fresh-memory': 'reused but for a fresh memory cgroup               ',
};

for (const dir of spare) mkdirSync(dir);
try {
  const parts: Record<Kind, Parts[]> = { fresh: [], 'as-is': [], fe: [], 'fresh-memory': [] };
  for (let i = 0; i < ROUNDS; i++) {
    for (const kind of i % 2 === 0 ? kinds : [...kinds].reverse()) {
      parts[kind].push(kind === 'fresh' ? await fresh() : await reused(kind));
    }
  }
  const total = (kind: Kind): number[] => parts[kind].map(([a, b, c]) => (a + b + c) / 1000);
  const part = (kind: Kind, k: 0 | 1 | 2): string =>
    fmt(median(parts[kind].map((p) => p[k] / 1000)));
  console.log(
    `cgroups of one job (${String(spare.length)} directories), ${String(ROUNDS)} alternated rounds, medians: total (before the join + the join + after the end)`,
  );
  for (const kind of kinds) {
    const ratio =
      kind === 'fresh' ? '' : `  ${pairwiseRatio(total(kind), total('fresh')).toFixed(2)}x fresh`;
    console.log(
      `  ${labels[kind]} ${fmt(median(total(kind)))} (${part(kind, 0)} + ${part(kind, 1)} + ${part(kind, 2)})${ratio}`,
    );
  }
  console.log(
    `memory in kB: a fresh memory cgroup's peak for the job ${String(Math.round(median(freshPeaks)))} (median); a reused one, job after job, charged at the job's start / its peak:`,
  );
  console.log(`  reused                      ${(await reuses(false)).join(' ')}`);
  console.log(`  reused + memory.force_empty ${(await reuses(true)).join(' ')}`);
} finally {
  for (const dir of [...spare].reverse()) {
    for (let i = 0; i < 100; i++) {
      try {
        rmdirSync(dir);
        break;
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    }
  }
}
