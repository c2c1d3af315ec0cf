/**
 * The runner's cost per job: 50 jobs one after another from one process (runJob in-process), with
 * --network=none and with the bridge network, against a hand-written bash script doing the same
 * kernel work per job (cgroup dirs, per-job hosts/resolv.conf/fstab, `unshare` with the same init
 * steps, a FIFO go signal, and for the bridge the same two `ip -batch` calls). The script batches
 * its mkdir/mkfifo/rmdir/rm calls across jobs, as a hand-tuned script would. rnx's jobs also get
 * the job filesystem, /dev and capabilities (bubblewrap + setpriv), which the script does not make:
 * bench/filesystems.bench.ts measures that part on its own.
 *
 *   npm run bench -- runner
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cgroupLayout } from '../src/isolation/cgroups/layout.js';
import { newJobId } from '../src/isolation/records/job-id.js';
import { runJob } from '../src/isolation/runner.js';
import { removalsDone } from '../src/isolation/end/removals.js';
import { ensureNetworkOnHost, getNetwork } from '../src/networks/index.js';
import { openDatabase } from '../src/state/database.js';
import { fmt, median } from './timing.js';

const JOBS = 50;
const ROUNDS = 5;

const BASELINE = String.raw`
set -e
n=$1; net=$2; dir=$3; pids=$4; unified=$5
ids=$(seq -f "b$$-%g" "$n")
runs=; cgs=; fifos=
for id in $ids; do
  runs="$runs $dir/run/$id"; cgs="$cgs $pids/rnx-$id $unified/rnx-$id"
  fifos="$fifos $dir/run/$id/up $dir/run/$id/go"
done
mkdir -p $runs; mkdir $cgs; mkfifo $fifos
i=0
for id in $ids; do
  i=$((i+1)); run=$dir/run/$id
  printf '127.0.0.1\tlocalhost\n127.0.1.1\t%s\n' "$id" > "$run/hosts"
  printf '# baseline\n' > "$run/resolv.conf"
  printf '%s /etc/hosts none bind 0 0\n%s /etc/resolv.conf none bind 0 0\n' "$run/hosts" "$run/resolv.conf" > "$run/fstab"
  lo=; [ "$net" = none ] && lo='/usr/sbin/ip link set lo up'
  unshare --pid --fork --kill-child --mount-proc --mount --uts --ipc --net -- /bin/sh -c '
    run=$1; id=$2; lo=$3; pids=$4; unified=$5; shift 5
    echo n > "$run/up"
    echo "$id" > /proc/sys/kernel/hostname
    /usr/bin/mount -a -T "$run/fstab"
    $lo
    echo 0 > "$pids/rnx-$id/cgroup.procs"; echo 0 > "$unified/rnx-$id/cgroup.procs"
    read go < "$run/go"
    command -v "$1" > /dev/null
    exec "$@"' init "$run" "$id" "$lo" "$pids" "$unified" true &
  job=$!
  read up < "$run/up"
  if [ "$net" = bridge ]; then
    v=bv$$x$i
    printf 'link add name %s type veth peer name eth0 netns %s\nlink set dev %s master rnx0\nlink set dev %s up\n' "$v" "$job" "$v" "$v" | ip -batch -
    printf 'address add 172.20.200.%s/16 broadcast + dev eth0\nlink set dev lo up\nlink set dev eth0 up\nroute add default via 172.20.0.1 dev eth0\n' "$i" | nsenter --net=/proc/$job/ns/net ip -batch -
  fi
  echo g > "$run/go"
  wait $job
  [ "$net" = bridge ] && ip link del "$v" 2>/dev/null || true
done
rmdir $cgs; rm -rf $runs
`;

async function rnxRound(network: string, dir: string): Promise<number> {
  const db = openDatabase(dir);
  const start = performance.now();
  for (let i = 0; i < JOBS; i++) {
    const result = await runJob(
      {
        id: newJobId(),
        command: 'true',
        args: [],
        env: {},
        secretEnv: {},
        network,
        resources: {},
      },
      {},
      { stateDir: dir, db },
    );
    if (result.status !== 'COMPLETED') throw new Error(`job failed: ${JSON.stringify(result)}`);
  }
  // Directories removed after the jobs' ends were reported count too (the script removes its).
  await removalsDone();
  return performance.now() - start;
}

function shellRound(network: string, dir: string): number {
  const layout = cgroupLayout();
  const pids = layout.v1.pids ?? layout.unified ?? '';
  const unified = layout.version === 'v1' ? (layout.unified ?? pids) : pids;
  const start = performance.now();
  const r = spawnSync(
    'bash',
    ['-c', BASELINE, 'baseline', String(JOBS), network, dir, pids, unified],
    {
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  if (r.status !== 0) throw new Error(`baseline script failed (${String(r.status)})`);
  return performance.now() - start;
}

async function compareNetwork(network: string): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'rnx-bench-runner-'));
  try {
    // Warm-up: one round of each, not counted (bridge creation, page cache, JIT).
    await rnxRound(network, dir);
    shellRound(network, dir);
    const rnx: number[] = [];
    const shell: number[] = [];
    const ratios: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const a = await rnxRound(network, dir);
      const b = shellRound(network, dir);
      rnx.push(a / JOBS);
      shell.push(b / JOBS);
      ratios.push(a / b);
    }
    console.log(
      `--network=${network}: rnx ${fmt(median(rnx))}/job, bash script ${fmt(median(shell))}/job, ` +
        `ratio ${median(ratios).toFixed(2)}x (${String(JOBS)} jobs x ${String(ROUNDS)} rounds, medians)`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const setupDir = mkdtempSync(join(tmpdir(), 'rnx-bench-setup-'));
const setup = openDatabase(setupDir);
try {
  const bridge = getNetwork(setup, 'bridge');
  if (bridge.ok) await ensureNetworkOnHost(bridge.value, setup);
  await compareNetwork('none');
  await compareNetwork('bridge');
} finally {
  setup.close();
  rmSync(setupDir, { recursive: true, force: true });
}
