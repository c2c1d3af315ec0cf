/**
 * Networks benchmarks (run by `npm run bench -- networks`, inside a throwaway namespace):
 *   1. lease every address of a /16, time per lease (first and last 1000 as well: flat or not);
 *   2. the same for the first 65,536 addresses of a /8: ratio per lease /8 : /16;
 *   3. `rnx network create` against a shell script doing the same ip/nft work, ratio from one run;
 *   4. phase 2 (attachJob) against the guide's recipe (create, move, four nsenter calls);
 *   5. ensureNetworkOnHost when everything already exists.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openDatabase } from '../src/state/database.js';
import { attachJob, detachJob } from '../src/networks/attach.js';
import { builtinNetwork } from '../src/networks/builtins.js';
import { mustParseCidr } from '../src/networks/cidr.js';
import { ensureNetworkOnHost, hostMarker } from '../src/networks/host.js';
import { leaseAddress } from '../src/networks/leases.js';
import { currentProcessOwner } from '../src/networks/owner.js';
import { ensureScript } from '../src/networks/nftables.js';
import { bridgeName } from '../src/networks/names.js';
import { insertNetwork } from '../src/networks/store.js';
import type { Network } from '../src/networks/types.js';
import { fmt, median, timeRuns } from './timing.js';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const RNX = join(REPO, 'bin', 'rnx.js');

function leaseAll(cidr: string, count: number): { perLease: number; first: number; last: number } {
  const dir = mkdtempSync(join(tmpdir(), 'rnx-bench-lease-'));
  const db = openDatabase(dir);
  try {
    if (!insertNetwork(db, { name: 'big', cidr: mustParseCidr(cidr), internal: false }).ok) {
      throw new Error(`could not record ${cidr}`);
    }
    const times: number[] = [];
    const owner = currentProcessOwner('x');
    for (let i = 0; i < count; i++) {
      const start = performance.now();
      const r = leaseAddress(db, 'big', { ...owner, jobId: `j${String(i)}` });
      times.push(performance.now() - start);
      if (!r.ok) throw new Error(r.problem.message);
    }
    const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
    return {
      perLease: sum(times) / count,
      first: sum(times.slice(0, 1000)) / 1000,
      last: sum(times.slice(-1000)) / 1000,
    };
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

function us(ms: number): string {
  return `${(ms * 1000).toFixed(1)} µs`;
}

function benchLeases(): void {
  const b16 = leaseAll('10.200.0.0/16', 65_533);
  console.log(
    `lease every address of a /16 (65,533): ${us(b16.perLease)} per lease (first 1000 ${us(b16.first)}, last 1000 ${us(b16.last)})`,
  );
  const b8 = leaseAll('11.0.0.0/8', 65_536);
  console.log(
    `first 65,536 leases of a /8:          ${us(b8.perLease)} per lease (first 1000 ${us(b8.first)}, last 1000 ${us(b8.last)})`,
  );
  console.log(`ratio per lease /8 : /16 = ${(b8.perLease / b16.perLease).toFixed(2)}`);
}

/** The shell baseline: the same host reads and kernel work as `rnx network create`. */
function shellScript(network: Network, nftFile: string): string {
  const cidr = mustParseCidr(network.cidr);
  const gateway = `${network.cidr.split('/')[0]?.replace(/\.0$/, '.1') ?? ''}/${String(cidr.prefix)}`;
  return `set -e
ip -j -4 addr show >/dev/null
ip -j -4 route show table all >/dev/null
cat /etc/resolv.conf >/dev/null
echo 1 > /proc/sys/net/ipv4/ip_forward
printf 'link add name ${network.bridge} type bridge\\naddress replace ${gateway} dev ${network.bridge}\\nlink set dev ${network.bridge} up\\n' | ip -batch -
nft -f ${nftFile}
`;
}

function benchCreate(): void {
  const dir = mkdtempSync(join(tmpdir(), 'rnx-bench-create-'));
  const runs = 15;
  const rnxTimes: number[] = [];
  const shTimes: number[] = [];
  const ratios: number[] = [];
  const nodeTimes: number[] = [];
  try {
    for (let i = 0; i < runs + 1; i++) {
      const name = `bench${String(i)}`;
      const cidr = `10.210.${String(i)}.0/24`;
      let start = performance.now();
      execFileSync(process.execPath, [RNX, 'network', 'create', name, `--cidr=${cidr}`], {
        env: { ...process.env, RNX_STATE_DIR: join(dir, 'state') },
        stdio: 'ignore',
      });
      const tRnx = performance.now() - start;
      execFileSync(process.execPath, [RNX, 'network', 'remove', name], {
        env: { ...process.env, RNX_STATE_DIR: join(dir, 'state') },
        stdio: 'ignore',
      });
      const network: Network = {
        name: `sh${String(i)}`,
        cidr,
        bridge: bridgeName(`sh${String(i)}`),
        builtin: false,
        internal: false,
        mode: 'custom',
      };
      const nftFile = join(dir, 'rules.nft');
      writeFileSync(nftFile, `${ensureScript(network, hostMarker(network))}\n`);
      const script = shellScript(network, nftFile);
      start = performance.now();
      execFileSync('sh', ['-c', script], { stdio: 'ignore' });
      const tSh = performance.now() - start;
      execFileSync('sh', ['-c', `ip link del ${network.bridge}; nft delete table inet rnx`], {
        stdio: 'ignore',
      });
      start = performance.now();
      execFileSync(process.execPath, ['-e', '0'], { stdio: 'ignore' });
      const tNode = performance.now() - start;
      if (i === 0) continue; // warm-up
      rnxTimes.push(tRnx);
      shTimes.push(tSh);
      nodeTimes.push(tNode);
      ratios.push(tRnx / tSh);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(
    `rnx network create: ${fmt(median(rnxTimes))}; shell script, same ip/nft work: ${fmt(median(shTimes))}; node -e 0: ${fmt(median(nodeTimes))}`,
  );
  console.log(
    `ratio rnx : shell = ${median(ratios).toFixed(2)} (median of ${String(runs)} pairs); rnx minus node start-up: ${fmt(median(rnxTimes) - median(nodeTimes))}`,
  );
}

async function sleeper(): Promise<{ pid: number; kill: () => void }> {
  const child = spawn('unshare', ['--net', 'sleep', '600'], { stdio: 'ignore' });
  const pid = child.pid ?? 0;
  const own = readlinkSync('/proc/self/ns/net');
  for (;;) {
    try {
      if (readlinkSync(`/proc/${String(pid)}/ns/net`) !== own) break;
    } catch {
      // not yet
    }
    await new Promise((r) => setTimeout(r, 1));
  }
  return { pid, kill: () => child.kill('SIGKILL') };
}

async function benchAttach(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'rnx-bench-attach-'));
  const db = openDatabase(dir);
  const network = builtinNetwork('bridge') as Network;
  const ensured = await ensureNetworkOnHost(network, db);
  if (!ensured.ok) throw new Error(ensured.problem.message);
  const ours: number[] = [];
  const recipe: number[] = [];
  const ratios: number[] = [];
  try {
    for (let i = 0; i < 21; i++) {
      const a = await sleeper();
      const lease = leaseAddress(db, 'bridge', currentProcessOwner(`a${String(i)}`));
      if (!lease.ok) throw new Error(lease.problem.message);
      let start = performance.now();
      const r = await attachJob({
        lease: lease.value,
        network,
        pid: a.pid,
        jobId: `a${String(i)}`,
      });
      const tOurs = performance.now() - start;
      if (!r.ok) throw new Error(r.problem.message);
      await detachJob(r.value.hostVeth);
      a.kill();

      const b = await sleeper();
      const lb = leaseAddress(db, 'bridge', currentProcessOwner(`b${String(i)}`));
      if (!lb.ok) throw new Error(lb.problem.message);
      const ns = `--net=/proc/${String(b.pid)}/ns/net`;
      const h = `vh${String(i)}`;
      const p = `vp${String(i)}`;
      start = performance.now();
      for (const args of [
        ['ip', 'link', 'add', h, 'type', 'veth', 'peer', 'name', p],
        ['ip', 'link', 'set', h, 'master', 'rnx0'],
        ['ip', 'link', 'set', h, 'up'],
        ['ip', 'link', 'set', p, 'netns', String(b.pid)],
        ['nsenter', ns, 'ip', 'addr', 'add', `${lb.value.address}/16`, 'dev', p],
        ['nsenter', ns, 'ip', 'link', 'set', p, 'up'],
        ['nsenter', ns, 'ip', 'link', 'set', 'lo', 'up'],
        ['nsenter', ns, 'ip', 'route', 'add', 'default', 'via', lb.value.gateway],
      ]) {
        execFileSync(args[0] ?? '', args.slice(1), { stdio: 'ignore' });
      }
      const tRecipe = performance.now() - start;
      execFileSync('ip', ['link', 'del', h], { stdio: 'ignore' });
      b.kill();
      if (i === 0) continue;
      ours.push(tOurs);
      recipe.push(tRecipe);
      ratios.push(tOurs / tRecipe);
    }
    const fast = await timeRuns(50, async () => {
      const r = await ensureNetworkOnHost(network, db);
      if (!r.ok) throw new Error(r.problem.message);
    });
    console.log(`ensureNetworkOnHost when everything exists: ${fmt(median(fast))}`);
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(
    `phase 2 attachJob: ${fmt(median(ours))} (briefing's figure for this wiring: 11.8 ms); guide's recipe (create, master, up, move, four nsenter): ${fmt(median(recipe))}; ratio ${median(ratios).toFixed(2)}`,
  );
}

benchLeases();
benchCreate();
await benchAttach();
