/**
 * What a job's sandbox costs when a job starts and ends, alternated in one run against baselines:
 *   1. the kernel work alone: bwrap with rnx's steps for a host-root job (read-only host root entry
 *      by entry, /proc with Docker's masks, /sys, a minimal /dev, /tmp, /run, /work, a volume) then
 *      setpriv, against the old way (`unshare` + sh running one `mount` per step, pivot_root), and
 *      against bare `unshare --pid --net --mount --uts --ipc --fork --mount-proc true`;
 *   2. a runtime's writable layer made by rnx before the start (one `mount -t overlay` and one
 *      `umount` process) against nothing: what pre-mounting costs per runtime job;
 *   3. runJob for a host-root job against runJob for a runtime job (busybox root).
 *
 *   npm run bench -- filesystems
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  prepareJobFilesystem,
  releaseJobFilesystem,
} from '../src/isolation/filesystem/job-filesystem.js';
import { newJobId } from '../src/isolation/records/job-id.js';
import type { JobSpec } from '../src/isolation/job-spec.js';
import { runJob } from '../src/isolation/runner.js';
import { removalsDone } from '../src/isolation/end/removals.js';
import { addRuntime } from '../src/isolation/filesystem/runtimes.js';
import { createVolume } from '../src/isolation/filesystem/volumes.js';
import { openDatabase } from '../src/state/database.js';
import { makeBusyboxRootfs } from '../test/helpers/fs-job.js';
import { bwrapArgs } from './job-sandbox.js';
import { compare, fmt } from './timing.js';

const RUNS = 30;
const scratch = mkdtempSync(join(tmpdir(), 'rnx-bench-fs-'));
const stateDir = join(scratch, 'state');
const db = openDatabase(stateDir);
createVolume(db, stateDir, 'bench');
const tiny = makeBusyboxRootfs(join(scratch, 'tiny'), 'tiny');
addRuntime(db, 'tiny', tiny, '/');

function spec(extra: Partial<JobSpec> = {}): JobSpec {
  return {
    id: newJobId(),
    command: 'true',
    args: [],
    env: {},
    secretEnv: {},
    network: 'none',
    resources: {},
    volumes: ['bench'],
    ...extra,
  };
}

async function job(extra: Partial<JobSpec>): Promise<void> {
  const result = await runJob(
    spec(extra),
    { onStderr: (c) => process.stderr.write(c) },
    { stateDir, db },
  );
  if (result.status !== 'COMPLETED') throw new Error(`job failed: ${JSON.stringify(result)}`);
  // Its directories (removed after the end is reported) count too, as before.
  await removalsDone();
}

/** The old start: unshare + sh making the same kind of root with one `mount` process per step. */
function oldWay(jobDir: string, volume: string): string {
  const r = `${scratch}/mnt/root`;
  const s = `${scratch}/mnt/scratch`;
  return `set -e
mount -t tmpfs -o mode=0755 rnx-scratch ${s}
mkdir -p ${s}/work ${s}/tmp ${s}/proc ${s}/sys ${s}/dev ${s}/volumes/bench
mount -t overlay -o ro,lowerdir=${s}:/ rnx-root ${r}
mount -t proc -o nosuid,nodev,noexec proc ${r}/proc
mount --bind -o ro ${r}/proc/sys ${r}/proc/sys
mount -t sysfs -o ro,nosuid,nodev,noexec sysfs ${r}/sys
mount --rbind /dev ${r}/dev
mount -t tmpfs -o nosuid,nodev,mode=1777 rnx-shm ${r}/dev/shm
mount -t tmpfs -o nosuid,nodev,mode=1777 rnx-tmp ${r}/tmp
mount --bind ${jobDir}/work ${r}/work
mount --bind ${volume} ${r}/volumes/bench
cd ${r} && pivot_root . . && umount -l .
cd /work
exec true`;
}

const UNSHARE = ['--pid', '--net', '--mount', '--uts', '--ipc', '--fork', '--mount-proc'];

async function main(): Promise<void> {
  mkdirSync(join(scratch, 'mnt', 'root'), { recursive: true });
  mkdirSync(join(scratch, 'mnt', 'scratch'), { recursive: true });
  const prepared = await prepareJobFilesystem(db, stateDir, spec());
  if (!prepared.ok) throw new Error(prepared.problem.message);
  const fs = prepared.value;
  const args = bwrapArgs(fs, 'bench');
  const bwrap = (): void => void execFileSync('bwrap', args, { stdio: 'ignore' });
  const volume = join(stateDir, 'volumes', 'bench');
  const old = await compare(
    RUNS,
    bwrap,
    () => void execFileSync('unshare', [...UNSHARE, '--', 'sh', '-c', oldWay(fs.jobDir, volume)]),
  );
  console.log(
    `kernel work, host root: bwrap + setpriv ${fmt(old.a)} (${String(fs.steps.length)} steps); unshare + sh + one mount each ${fmt(old.b)}; ratio ${old.ratio.toFixed(2)}x`,
  );
  const bare = await compare(RUNS, bwrap, () => void execFileSync('unshare', [...UNSHARE, 'true']));
  console.log(
    `kernel work, host root: bwrap + setpriv ${fmt(bare.a)}; bare unshare (no mounts) ${fmt(bare.b)}; ratio ${bare.ratio.toFixed(2)}x (+${fmt(bare.a - bare.b)})`,
  );
  await releaseJobFilesystem(db, stateDir, fs.jobId);

  const layerDir = join(scratch, 'layer');
  const overlay = await compare(
    RUNS,
    () => {
      rmSync(layerDir, { recursive: true, force: true });
      for (const d of ['upper', 'work', 'root']) mkdirSync(join(layerDir, d), { recursive: true });
      execFileSync('mount', [
        '-t',
        'overlay',
        '-o',
        `lowerdir=${tiny},upperdir=${layerDir}/upper,workdir=${layerDir}/work`,
        'rnx-bench',
        `${layerDir}/root`,
      ]);
      execFileSync('umount', ['-l', `${layerDir}/root`]);
    },
    () => {
      rmSync(layerDir, { recursive: true, force: true });
      for (const d of ['upper', 'work', 'root']) mkdirSync(join(layerDir, d), { recursive: true });
    },
  );
  console.log(
    `runtime layer pre-mounted on the host: mount + umount ${fmt(overlay.a - overlay.b)} per job`,
  );

  const runtime = await compare(
    RUNS,
    () => job({ runtime: 'tiny', command: 'sh', args: ['-c', ':'] }),
    () => job({ command: 'sh', args: ['-c', ':'] }),
  );
  console.log(
    `runJob, busybox runtime + per-job layer + volume: ${fmt(runtime.a)} per job; host root: ${fmt(runtime.b)}; ratio ${runtime.ratio.toFixed(2)}x (+${fmt(runtime.a - runtime.b)})`,
  );
}

try {
  await main();
} finally {
  db.close();
  rmSync(scratch, { recursive: true, force: true });
}
