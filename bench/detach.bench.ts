/**
 * What detached jobs cost beyond the jobs themselves: starts N detached `sleep` jobs
 * (`rnx job run -d --network=none sleep 600`), then measures, from /proc, the memory of what rnx
 * keeps per job (the supervisor shell, its output reader `cat` and the start process) against the jobs' own
 * (`sleep`), as PSS (each shared page counted once across all processes) and RSS; and the host's
 * MemAvailable before and after (which includes kernel memory: cgroups, namespaces, page tables).
 * Baseline: one idle Node process, what a Node supervisor per job would cost. Then stops them all
 * and checks nothing is left.
 *
 * With RNX_BENCH_DETACH_TIMEOUT=DUR the jobs get `--timeout=DUR`: their supervisors keep a timer
 * (the relay subshell and its `sleep`), measured on a line of its own.
 *
 *   npm run bench -- detach            (N=100; RNX_BENCH_DETACH_JOBS=N to change)
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const N = Number(process.env['RNX_BENCH_DETACH_JOBS'] ?? '100');
const TIMEOUT = process.env['RNX_BENCH_DETACH_TIMEOUT'];
const RNX = fileURLToPath(new URL('../../bin/rnx.js', import.meta.url));
const state = mkdtempSync(join(tmpdir(), 'rnx-bench-detach-'));
const env = { ...process.env, RNX_STATE_DIR: state, NO_COLOR: '1' };

function rnx(...args: string[]): string {
  return execFileSync(process.execPath, [RNX, ...args], { env, encoding: 'utf8' });
}

function memAvailableKb(): number {
  const line = /^MemAvailable:\s+(\d+) kB$/m.exec(readFileSync('/proc/meminfo', 'utf8'));
  return Number(line?.[1] ?? 0);
}

interface Usage {
  pss: number;
  rss: number;
  count: number;
}

function usageOf(pids: readonly number[]): Usage {
  const total: Usage = { pss: 0, rss: 0, count: 0 };
  for (const pid of pids) {
    try {
      const text = readFileSync(`/proc/${String(pid)}/smaps_rollup`, 'utf8');
      total.pss += Number(/^Pss:\s+(\d+) kB$/m.exec(text)?.[1] ?? 0);
      total.rss += Number(/^Rss:\s+(\d+) kB$/m.exec(text)?.[1] ?? 0);
      total.count++;
    } catch {
      // Gone.
    }
  }
  return total;
}

function processes(): { pid: number; ppid: number; args: string; comm: string }[] {
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .flatMap((d) => {
      try {
        const args = readFileSync(`/proc/${d}/cmdline`, 'utf8').split('\0').join(' ');
        const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
        const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
        const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
        return [{ pid: Number(d), ppid, args, comm }];
      } catch {
        return [];
      }
    });
}

const kb = (n: number): string => `${(n / 1024).toFixed(1)} MB`;

const before = memAvailableKb();
const started = performance.now();
const ids: string[] = [];
for (let i = 0; i < N; i++)
  ids.push(
    rnx(
      'job',
      'run',
      '-d',
      '--network=none',
      ...(TIMEOUT === undefined ? [] : [`--timeout=${TIMEOUT}`]),
      'sleep',
      '600',
    ).trim(),
  );
const startMs = (performance.now() - started) / N;
await new Promise((resolve) => setTimeout(resolve, 1000));
const after = memAvailableKb();

const all = processes();
// This run's (other rnx runs on the machine have their own state directories). A relay is a
// subshell of its supervisor: the same command line, its parent a supervisor.
const shells = all.filter((p) => p.args.includes('rnx-supervisor') && p.args.includes(state));
const shellPids = shells.map((p) => p.pid);
const supervisors = shells.filter((p) => !shellPids.includes(p.ppid)).map((p) => p.pid);
const relays = shells.filter((p) => shellPids.includes(p.ppid)).map((p) => p.pid);
const starts = all
  .filter((p) => supervisors.includes(p.ppid) && p.comm === 'bwrap')
  .map((p) => p.pid);
// The output readers: `cat` appending the job's output pipe to its log.
const readers = all
  .filter((p) => supervisors.includes(p.ppid) && (p.comm === 'cat' || p.comm === 'sed'))
  .map((p) => p.pid);
// A job with a timeout: the relay subshell and its sleep.
const timers = [...relays, ...all.filter((p) => relays.includes(p.ppid)).map((p) => p.pid)];
const jobs = all.filter((p) => starts.includes(p.ppid)).map((p) => p.pid);
const sup = usageOf(supervisors);
const start = usageOf(starts);
const reader = usageOf(readers);
const own = usageOf(jobs);
const timer = usageOf(timers);

const node = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
await new Promise((resolve) => setTimeout(resolve, 500));
const nodeUsage = usageOf([node.pid ?? 0]);
node.kill();

console.log(`${String(N)} detached sleep jobs, ${startMs.toFixed(0)} ms per rnx job run -d`);
console.log(
  `  supervisors (sh):   ${String(sup.count)} processes, PSS ${kb(sup.pss)} (${(sup.pss / N).toFixed(0)} kB per job), RSS ${kb(sup.rss)}`,
);
console.log(
  `  start processes:    ${String(start.count)} processes, PSS ${kb(start.pss)} (${(start.pss / N).toFixed(0)} kB per job), RSS ${kb(start.rss)}`,
);
console.log(
  `  output readers (cat): ${String(reader.count)} processes, PSS ${kb(reader.pss)} (${(reader.pss / N).toFixed(0)} kB per job), RSS ${kb(reader.rss)}`,
);
if (TIMEOUT !== undefined) {
  console.log(
    `  timers (sh, sleep): ${String(timer.count)} processes, PSS ${kb(timer.pss)} (${(timer.pss / N).toFixed(0)} kB per job), RSS ${kb(timer.rss)}`,
  );
}
console.log(`  the jobs (sleep):   ${String(own.count)} processes, PSS ${kb(own.pss)}`);
console.log(
  `  beyond the jobs:    PSS ${((sup.pss + start.pss + reader.pss + timer.pss) / N).toFixed(0)} kB per job (supervisor + start process + reader${TIMEOUT === undefined ? '' : ' + timer'})`,
);
console.log(
  `  host MemAvailable:  ${kb(before - after)} less (${((before - after) / N).toFixed(0)} kB per job, everything: jobs, kernel, page cache moves)`,
);
console.log(
  `  baseline: one idle Node process PSS ${kb(nodeUsage.pss)}, RSS ${kb(nodeUsage.rss)}: ratio ${(nodeUsage.pss / ((sup.pss + start.pss + reader.pss + timer.pss) / N)).toFixed(0)}x the per-job cost here`,
);

for (const id of ids) rnx('job', 'stop', id, '--grace=1s');
const left = processes().filter(
  (p) => p.args.includes('rnx-supervisor') && p.args.includes(state),
).length;
console.log(`  after job stop of all: ${String(left)} supervisors left`);
rmSync(state, { recursive: true, force: true });
process.exit(left === 0 ? 0 : 1);
