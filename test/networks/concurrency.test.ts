/**
 * Many rnx processes at once: network creation and leasing are single BEGIN IMMEDIATE
 * transactions, so exactly the non-conflicting creates win and no address is ever handed out
 * twice. Also: leases of killed owners are reclaimed when a network is full.
 */
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { openDatabase } from '../../src/state/database.js';
import { mustParseCidr, overlaps } from '../../src/networks/cidr.js';
import { leaseAddress, listLeases } from '../../src/networks/leases.js';
import { processStartTime } from '../../src/networks/owner.js';
import { insertNetwork, listNetworks } from '../../src/networks/store.js';
import { runCli, tempDir } from '../helpers/cli.js';
import { builtinNetwork } from '../../src/networks/builtins.js';
import type { Network } from '../../src/networks/types.js';
import { linkNames, requireSandbox, resetHost, rnxTable, startSleeper } from './netns.js';

const HERE = fileURLToPath(new URL('.', import.meta.url));
const WORKER = join(HERE, 'lease-worker.js');
const ENSURE_WORKER = join(HERE, 'ensure-worker.js');

function ensureInProcess(network: Network, dir: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [ENSURE_WORKER, JSON.stringify(network), dir], (error, stdout) => {
      if (error !== null) reject(new Error(`ensure worker failed: ${error.message}`));
      else resolve(stdout.trim());
    });
  });
}

interface WorkerResult {
  jobId: string;
  address?: string;
  code?: string;
  message?: string;
}

/** Starts a lease worker; resolves with its results while it keeps running, plus a release. */
function startWorker(
  dir: string,
  network: string,
  prefix: string,
  count: number,
): Promise<{ results: WorkerResult[]; release: () => Promise<void> }> {
  const child = spawn(process.execPath, [WORKER, dir, network, prefix, String(count)], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      if (out.endsWith('\n')) {
        resolve({
          results: JSON.parse(out) as WorkerResult[],
          release: async () => {
            child.stdin.end();
            await exited;
          },
        });
      }
    });
    child.once('exit', (code) => {
      if (!out.endsWith('\n')) reject(new Error(`worker exited with ${String(code)}`));
    });
  });
}

describe('concurrent rnx processes', () => {
  before(requireSandbox);
  after(resetHost);

  it('lets exactly the non-conflicting ones of 20 concurrent creates succeed', async () => {
    const { dir, cleanup } = tempDir('rnx-conc-create-');
    try {
      // Pairs that overlap each other: 10.100.N.0/24 and 10.100.N.128/25 for N = 0..9.
      const requests = Array.from({ length: 20 }, (_, i) => {
        const n = Math.floor(i / 2);
        return i % 2 === 0
          ? { name: `c${String(i)}`, cidr: `10.100.${String(n)}.0/24` }
          : { name: `c${String(i)}`, cidr: `10.100.${String(n)}.128/25` };
      });
      const runs = await Promise.all(
        requests.map((r) =>
          runCli(['network', 'create', r.name, `--cidr=${r.cidr}`], { stateDir: dir }),
        ),
      );
      const won = runs.filter((r) => r.code === 0).length;
      assert.equal(won, 10, runs.map((r) => r.stderr).join(''));
      for (const r of runs.filter((x) => x.code !== 0)) {
        assert.equal(r.code, 2);
        assert.match(
          r.stderr,
          /^rnx: failed to create network: CIDR 10\.100\.\d+\.\d+\/2[45] overlaps with existing network 'c\d+' \(10\.100\.\d+\.\d+\/2[45]\)\n/,
        );
      }
      const db = openDatabase(dir);
      const custom = listNetworks(db).filter((n) => !n.builtin);
      db.close();
      assert.equal(custom.length, 10);
      for (let n = 0; n < 10; n++) {
        const pair = [`c${String(2 * n)}`, `c${String(2 * n + 1)}`];
        assert.equal(custom.filter((c) => pair.includes(c.name)).length, 1, pair.join(' or '));
      }
      for (const [i, a] of custom.entries()) {
        for (const b of custom.slice(i + 1)) {
          assert.ok(!overlaps(mustParseCidr(a.cidr), mustParseCidr(b.cidr)), `${a.name} ${b.name}`);
        }
      }
      await Promise.all(
        custom.map((n) => runCli(['network', 'remove', n.name], { stateDir: dir })),
      );
    } finally {
      cleanup();
    }
  });

  it('hands out no address twice across 300 concurrent leases in a /24; the rest fail cleanly', async () => {
    const { dir, cleanup } = tempDir('rnx-conc-lease-');
    try {
      const db = openDatabase(dir);
      assert.ok(
        insertNetwork(db, { name: 'crowd', cidr: mustParseCidr('10.110.0.0/24'), internal: false })
          .ok,
      );
      db.close();
      const workers = await Promise.all(
        Array.from({ length: 6 }, (_, i) => startWorker(dir, 'crowd', `w${String(i)}`, 50)),
      );
      try {
        const results = workers.flatMap((w) => w.results);
        assert.equal(results.length, 300);
        const addresses = results.flatMap((r) => (r.address === undefined ? [] : [r.address]));
        assert.equal(addresses.length, 253);
        assert.equal(new Set(addresses).size, 253);
        const failures = results.filter((r) => r.address === undefined);
        assert.equal(failures.length, 47);
        for (const f of failures) {
          assert.equal(f.code, 'network-full');
          assert.equal(
            f.message,
            "network 'crowd' (10.110.0.0/24) is full: all 253 job addresses are leased",
          );
        }
        const check = openDatabase(dir);
        assert.equal(listLeases(check, 'crowd').length, 253);
        check.close();
      } finally {
        await Promise.all(workers.map((w) => w.release()));
      }
    } finally {
      cleanup();
    }
  });

  it('reclaims the leases of killed owners when the network is full', async () => {
    const { dir, cleanup } = tempDir('rnx-stale-');
    const db = openDatabase(dir);
    try {
      assert.ok(
        insertNetwork(db, { name: 'pair', cidr: mustParseCidr('10.120.0.0/29'), internal: false })
          .ok,
      );
      const owners = await Promise.all(Array.from({ length: 5 }, () => startSleeper()));
      const held: string[] = [];
      for (const [i, owner] of owners.entries()) {
        const r = leaseAddress(db, 'pair', {
          jobId: `old-${String(i)}`,
          pid: owner.pid,
          pidStartTime: processStartTime(owner.pid) ?? 0,
        });
        assert.ok(r.ok);
        held.push(r.value.address);
      }
      const full = leaseAddress(db, 'pair', {
        jobId: 'blocked',
        pid: process.pid,
        pidStartTime: processStartTime(process.pid) ?? 0,
      });
      assert.ok(!full.ok, 'full while every owner lives');
      await owners[1]?.kill();
      await owners[3]?.kill();
      const me = { pid: process.pid, pidStartTime: processStartTime(process.pid) ?? 0 };
      const a = leaseAddress(db, 'pair', { jobId: 'new-a', ...me });
      const b = leaseAddress(db, 'pair', { jobId: 'new-b', ...me });
      const c = leaseAddress(db, 'pair', { jobId: 'new-c', ...me });
      assert.ok(a.ok && b.ok);
      assert.deepEqual([a.value.address, b.value.address].sort(), [held[1], held[3]].sort());
      assert.ok(!c.ok);
      assert.deepEqual(
        listLeases(db, 'pair')
          .map((l) => l.jobId)
          .sort(),
        ['new-a', 'new-b', 'old-0', 'old-2', 'old-4'],
      );
      await Promise.all(owners.map((o) => o.kill()));
    } finally {
      db.close();
      cleanup();
    }
  });

  it('sets a network up once when 10 processes ensure it at the same moment', async () => {
    await resetHost();
    const { dir, cleanup } = tempDir('rnx-ensure-');
    openDatabase(dir).close();
    const network = builtinNetwork('isolated') as Network;
    const results = await Promise.all(
      Array.from({ length: 10 }, () => ensureInProcess(network, dir)),
    );
    cleanup();
    for (const r of results) assert.equal(r, '{"ok":true}');
    assert.equal((await linkNames()).filter((n) => n === 'rnx1').length, 1);
    const table = (await rnxTable()) ?? '';
    assert.equal(table.match(/iifname vmap @forward_from/g)?.length, 1);
    assert.equal(table.match(/chain fwd_rnx1 \{/g)?.length, 1);
    assert.equal(table.match(/oifname "rnx1" drop/g)?.length, 1);
  });
});
