/**
 * What the job filesystem costs when a job starts and ends:
 *   1. runJob with the filesystem (read-only host root, /work, /tmp, /proc, /sys, /dev, a volume)
 *      against runJob without it, alternated in one run: per-job cost of each and the ratio;
 *   2. the same with a runtime (busybox root under a per-job writable layer), and on the bridge
 *      network, where init makes its mounts while rnx wires the network (phase 2);
 *   3. the kernel work alone: `unshare` + rnx's init mount lines (runs of mounts batched in one
 *      `mount -a -T`) against a hand-written shell script making the same mounts one `mount` each,
 *      and against `unshare` with no mounts at all.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  prepareJobFilesystem,
  releaseJobFilesystem,
} from '../src/isolation/filesystem/job-filesystem.js';
import { newJobId } from '../src/isolation/records/job-id.js';
import { UNSHARE_FLAGS } from '../src/isolation/start/job-process.js';
import type { JobSpec } from '../src/isolation/job-spec.js';
import { runJob } from '../src/isolation/runner.js';
import { addRuntime } from '../src/isolation/filesystem/runtimes.js';
import { createVolume } from '../src/isolation/filesystem/volumes.js';
import { openDatabase } from '../src/state/database.js';
import { makeBusyboxRootfs } from '../test/helpers/fs-job.js';
import { compare, fmt } from './timing.js';

const RUNS = 30;
const scratch = mkdtempSync(join(tmpdir(), 'rnx-bench-fs-'));
const stateDir = join(scratch, 'state');
const db = openDatabase(stateDir);
createVolume(db, stateDir, 'bench');
addRuntime(db, 'tiny', makeBusyboxRootfs(join(scratch, 'tiny'), 'tiny'), '/');

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

async function job(extra: Partial<JobSpec>, withoutFilesystem: boolean): Promise<void> {
  const result = await runJob(
    spec(extra),
    { onStderr: (c) => process.stderr.write(c) },
    { stateDir, db, withoutFilesystem },
  );
  if (result.status !== 'COMPLETED') throw new Error(`job failed: ${JSON.stringify(result)}`);
}

const UNSHARE = [...UNSHARE_FLAGS, '--', 'sh', '-c'];

function unshare(script: string): void {
  execFileSync('unshare', [...UNSHARE, `${script}\nexec true`], { stdio: 'ignore' });
}

/** The same mounts as rnx's host-root plan, written by hand, one `mount` process each. */
function handWritten(jobDir: string, volume: string): string {
  const r = `${stateDir}/mnt/root`;
  const s = `${stateDir}/mnt/scratch`;
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
cd /work`;
}

async function main(): Promise<void> {
  const host = await compare(
    RUNS,
    () => job({}, false),
    () => job({}, true),
  );
  console.log(
    `runJob, host root read-only + /work + volume: ${fmt(host.a)} per job; without the filesystem: ${fmt(host.b)}; ratio ${host.ratio.toFixed(2)}x (+${fmt(host.a - host.b)})`,
  );
  const runtime = await compare(
    RUNS,
    () => job({ runtime: 'tiny', command: 'sh', args: ['-c', ':'] }, false),
    () => job({ command: 'sh', args: ['-c', ':'] }, true),
  );
  console.log(
    `runJob, busybox runtime + per-job layer + volume: ${fmt(runtime.a)} per job; without the filesystem: ${fmt(runtime.b)}; ratio ${runtime.ratio.toFixed(2)}x`,
  );

  const bridge = await compare(
    RUNS,
    () => job({ network: 'bridge' }, false),
    () => job({ network: 'bridge' }, true),
  );
  console.log(
    `runJob --network=bridge (mounts overlap phase 2): ${fmt(bridge.a)} per job; without the filesystem: ${fmt(bridge.b)}; ratio ${bridge.ratio.toFixed(2)}x (+${fmt(bridge.a - bridge.b)})`,
  );

  const prepared = prepareJobFilesystem(db, stateDir, spec());
  if (!prepared.ok) throw new Error(prepared.problem.message);
  const fs = prepared.value;
  const volume = join(stateDir, 'volumes', 'bench');
  const batched = await compare(
    RUNS,
    () => unshare(fs.script),
    () => unshare(handWritten(fs.jobDir, volume)),
  );
  console.log(
    `kernel work: unshare + rnx's init mount lines ${fmt(batched.a)}; hand-written script, one mount each ${fmt(batched.b)}; ratio ${batched.ratio.toFixed(2)}x`,
  );
  const bare = await compare(
    RUNS,
    () => unshare(fs.script),
    () => unshare(':'),
  );
  console.log(
    `kernel work: unshare + rnx's init mount lines ${fmt(bare.a)}; unshare with no mounts ${fmt(bare.b)}; mounts add ${fmt(bare.a - bare.b)}`,
  );
  releaseJobFilesystem(db, stateDir, fs.jobId);
}

try {
  await main();
} finally {
  db.close();
  rmSync(scratch, { recursive: true, force: true });
}
