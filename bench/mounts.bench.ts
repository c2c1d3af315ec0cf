/**
 * What a job's mounts cost in bwrap, and variants of rnx's argument list measured against it.
 * bwrap reads and parses the whole /proc/self/mountinfo once per bind and per --remount-ro
 * (bind-mount.c), and a job's mount namespace starts as a copy of the one bwrap is started from:
 * both costs grow with the number of mounts. Each variant runs the same job (host root, a volume,
 * /etc/hosts and resolv.conf, setpriv, `true`):
 *   - rnx: the argument list rnx gives bwrap (bench/job-sandbox.ts bwrapArgs), the baseline;
 *   - bind + remount: each top-level entry bound writable, then `--remount-ro` (two reads of the
 *     mount table each; and not the same containment: mounts below an entry stay writable);
 *   - one bind of /: `--ro-bind / /` in place of the entries, the workspace on /run, no volume
 *     (their mount points are not on the host, and a read-only root cannot gain them): the floor
 *     that fewer binds could reach, not a plan rnx can use;
 *   - pre-made view: the entries bound once, read-only, into a tmpfs of the mount namespace bwrap
 *     starts from (with /sys, its firmware masked), and each job binds that one directory as its
 *     root, a tmpfs over /volumes for its volume;
 *   - bare unshare, the kernel's floor for the namespaces.
 * Every variant is started through `nsenter --mount` (into the view's namespace for the view, into
 * this one for the others), alternated, medians of wall time; CPU (user + system of the children)
 * as a mean per run.
 *
 *   npm run bench -- mounts            (RNX_BENCH_MOUNTS_RUNS=300 for more runs)
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hostEntries } from '../src/isolation/filesystem/host-entries.js';
import type { FsStep } from '../src/isolation/filesystem/mount-plan.js';
import { createVolume } from '../src/isolation/filesystem/volumes.js';
import { openDatabase } from '../src/state/database.js';
import { ISOLATED } from './engine-graphs.js';
import { bwrapArgs, sandboxFilesystem } from './job-sandbox.js';
import { fmt, median } from './timing.js';

const RUNS = Number(process.env['RNX_BENCH_MOUNTS_RUNS'] ?? 100);
const scratch = mkdtempSync(join(tmpdir(), 'rnx-bench-mounts-'));
const stateDir = join(scratch, 'state');
const view = join(scratch, 'view');
const ready = join(scratch, 'view-ready');

/** A top-level entry of the host's root, as the plan binds or links it. */
function isEntry(s: FsStep): boolean {
  if (s.kind === 'symlink' || (s.kind === 'dir' && s.mode !== undefined)) {
    return s.target.split('/').length === 2;
  }
  return s.kind === 'ro-bind' && s.source === s.target && s.target.split('/').length === 2;
}

const isVolume = (s: FsStep): boolean =>
  (s.kind === 'dir' && s.target === '/volumes') ||
  (s.kind === 'bind' && s.target.startsWith('/volumes/'));

const isRootRo = (s: FsStep): boolean =>
  (s.kind === 'dir' && s.target === '/sys') || (s.kind === 'remount-ro' && s.target === '/');

function bindRemount(steps: readonly FsStep[]): FsStep[] {
  return steps.flatMap((s): FsStep[] =>
    s.kind === 'ro-bind' && isEntry(s)
      ? [
          { kind: 'bind', source: s.source, target: s.target },
          { kind: 'remount-ro', target: s.target },
        ]
      : [s],
  );
}

function oneBind(steps: readonly FsStep[]): FsStep[] {
  return [
    { kind: 'ro-bind', source: '/', target: '/' },
    ...steps
      .filter((s) => !isEntry(s) && !isVolume(s) && !isRootRo(s))
      .map((s): FsStep => {
        if (s.kind === 'bind' && s.target === '/work') return { ...s, target: '/run/work' };
        return s.kind === 'chdir' ? { kind: 'chdir', path: '/run/work' } : s;
      }),
  ];
}

/** The job's steps over the view: what the view holds (entries, hidden dirs, /sys) left out. */
function overView(steps: readonly FsStep[], hidden: readonly string[]): FsStep[] {
  const inView = (s: FsStep): boolean =>
    isEntry(s) ||
    isRootRo(s) ||
    ('target' in s && (s.target === '/sys' || s.target.startsWith('/sys/'))) ||
    ('target' in s && hidden.includes(s.target));
  const kept = steps.filter((s) => !inView(s));
  const lastVolume = kept.findLastIndex(isVolume);
  return [
    { kind: 'ro-bind', source: view, target: '/' },
    ...kept.flatMap((s, i): FsStep[] => {
      if (s.kind === 'dir' && s.target === '/volumes')
        return [{ ...s, kind: 'tmpfs', mode: 0o755 }];
      return i === lastVolume ? [s, { kind: 'remount-ro', target: '/volumes' }] : [s];
    }),
  ];
}

/** A shell script that builds the view in its own mount namespace, then holds it. */
function viewScript(hidden: readonly string[]): string {
  const q = (s: string): string => `'${s.replaceAll("'", "'\\''")}'`;
  const lines = ['set -e', `V=${q(view)}`, 'mount -t tmpfs -o mode=755 rnx-bench-view "$V"'];
  for (const e of hostEntries('/')) {
    if (['proc', 'sys', 'dev', 'tmp', 'run', 'work', 'volumes'].includes(e.name)) continue;
    const at = `"$V"/${q(e.name)}`;
    if (e.kind === 'symlink') lines.push(`ln -s ${q(e.link ?? '')} ${at}`);
    else if (e.kind === 'empty-directory')
      lines.push(`mkdir -m ${(e.mode ?? 0o755).toString(8)} ${at}`);
    else if (e.kind === 'directory') lines.push(`mkdir ${at}`, `mount --rbind /${q(e.name)} ${at}`);
    else lines.push(`: > ${at}`, `mount --bind /${q(e.name)} ${at}`);
  }
  lines.push('for d in proc sys dev tmp run work volumes; do mkdir "$V/$d"; done');
  lines.push('mount --rbind /sys "$V/sys"', 'mount -t tmpfs rnx-bench-mask "$V/sys/firmware"');
  for (const dir of hidden) lines.push(`mount -t tmpfs rnx-bench-hide "$V"${q(dir)}`);
  lines.push(
    'findmnt -rn -o TARGET -R "$V" | while read -r m; do mount -o remount,bind,ro,nosuid,nodev "$m"; done',
    `: > ${q(ready)}`,
    'exec sleep 3600',
  );
  return lines.join('\n');
}

/** The children's CPU so far (user + system of waited-for children), in milliseconds. */
const tick = 1000 / Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }));
function childrenCpu(): number {
  const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[13]) + Number(fields[14])) * tick;
}

interface Variant {
  readonly name: string;
  readonly argv: readonly string[];
}

function measure(variants: readonly Variant[]): void {
  const wall = variants.map((): number[] => []);
  const cpu = variants.map(() => 0);
  const once = (v: Variant): void =>
    void execFileSync(v.argv[0] ?? '', v.argv.slice(1), { stdio: 'ignore' });
  for (const v of variants) once(v);
  for (let i = 0; i < RUNS; i++) {
    for (const [k, v] of (i % 2 === 0 ? variants : [...variants].reverse()).entries()) {
      const at = i % 2 === 0 ? k : variants.length - 1 - k;
      const [start, cpu0] = [performance.now(), childrenCpu()];
      once(v);
      wall[at]?.push(performance.now() - start);
      cpu[at] = (cpu[at] ?? 0) + childrenCpu() - cpu0;
    }
  }
  const base = median(wall[0] ?? []);
  const baseCpu = (cpu[0] ?? 0) / RUNS;
  for (const [k, v] of variants.entries()) {
    const w = median(wall[k] ?? []);
    const c = (cpu[k] ?? 0) / RUNS;
    console.log(
      `  ${v.name.padEnd(36)} ${fmt(w).padStart(9)} ${(w / base).toFixed(2)}x   CPU ${fmt(c).padStart(9)} ${(c / baseCpu).toFixed(2)}x`,
    );
  }
}

async function main(): Promise<void> {
  const db = openDatabase(stateDir);
  createVolume(db, stateDir, 'bench');
  const { steps } = await sandboxFilesystem(db, stateDir, ['bench']);
  // The state directory's hiding (a read-only tmpfs), when it is not under /tmp or /run.
  const hidden = steps.flatMap((s) =>
    s.kind === 'remount-ro' && s.target !== '/' && !/^\/(proc|sys)\//.test(s.target)
      ? [s.target]
      : [],
  );
  mkdirSync(view);
  const holder = spawn(
    'unshare',
    ['--mount', '--propagation', 'private', 'sh', '-c'].concat(viewScript(hidden)),
    {
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  try {
    for (let i = 0; i < 300 && !existsSync(ready); i++) await new Promise((r) => setTimeout(r, 20));
    if (!existsSync(ready)) throw new Error('the view was not built');
    const args = (fs: readonly FsStep[]): string[] =>
      bwrapArgs({ steps: fs, hostRoot: true }, 'bench');
    const hereNs = `--mount=/proc/${String(process.pid)}/ns/mnt`;
    const viewNs = `--mount=/proc/${String(holder.pid)}/ns/mnt`;
    const [here, inView] = [
      ['nsenter', hereNs],
      ['nsenter', viewNs],
    ];
    const mounts = (ns: string): string =>
      String(
        execFileSync('nsenter', [ns, 'cat', '/proc/self/mountinfo'], { encoding: 'utf8' })
          .trim()
          .split('\n').length,
      );
    console.log(
      `one job (host root, a volume), ${String(RUNS)} alternated runs; mounts bwrap starts from: ${mounts(hereNs)} (${mounts(viewNs)} with the view)`,
    );
    console.log(`  ${''.padEnd(36)} ${'wall'.padStart(9)}         ${'CPU'.padStart(9)}`);
    measure([
      { name: "rnx's argument list", argv: [...here, 'bwrap', ...args(steps)] },
      {
        name: 'bind + remount-ro per entry',
        argv: [...here, 'bwrap', ...args(bindRemount(steps))],
      },
      {
        name: 'one --ro-bind / / (no mount points)',
        argv: [...here, 'bwrap', ...args(oneBind(steps))],
      },
      {
        name: 'pre-made view in the namespace',
        argv: [...inView, 'bwrap', ...args(overView(steps, hidden))],
      },
      {
        name: 'bare unshare + setpriv',
        argv: [...here, ...ISOLATED, 'setpriv', '--bounding-set=-all', '--', 'true'],
      },
    ]);
  } finally {
    holder.kill('SIGKILL');
    db.close();
    rmSync(scratch, { recursive: true, force: true });
  }
}

await main();
