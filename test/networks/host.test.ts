/** The host side of a network, for real in the test namespace: bridge, forwarding, nft table. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, beforeEach, describe, it } from 'node:test';
import { builtinNetwork } from '../../src/networks/builtins.js';
import { ensureNetworkOnHost, removeNetworkFromHost } from '../../src/networks/host.js';
import type { Network } from '../../src/networks/types.js';
import { attachJob, detachJob } from '../../src/networks/attach.js';
import { leaseAddress } from '../../src/networks/leases.js';
import { currentProcessOwner } from '../../src/networks/owner.js';
import { openDatabase } from '../../src/state/database.js';
import { tempDir } from '../helpers/cli.js';
import {
  pingAnswered,
  linkNames,
  requireSandbox,
  resetHost,
  rnxTable,
  run,
  startSleeper,
} from './netns.js';

const bridge = builtinNetwork('bridge') as Network;
const custom: Network = {
  name: 'hosttest',
  cidr: '10.77.0.0/24',
  bridge: 'rnx-hosttest',
  builtin: false,
  internal: false,
  mode: 'custom',
};

const state = tempDir('rnx-host-');
const db = openDatabase(state.dir);

async function ensure(network: Network): Promise<void> {
  const r = await ensureNetworkOnHost(network, db);
  assert.ok(r.ok, r.ok ? '' : r.problem.message);
}

function recorded(bridge: string): string | undefined {
  const row = db.prepare('SELECT value FROM meta WHERE key = ?').get(`host-rules:${bridge}`) as
    { value: string } | undefined;
  return row?.value;
}

describe('ensureNetworkOnHost', () => {
  before(requireSandbox);
  beforeEach(async () => {
    await resetHost();
    db.exec("DELETE FROM meta WHERE key LIKE 'host-rules:%'");
  });
  after(async () => {
    await resetHost();
    db.close();
    state.cleanup();
  });

  it('creates the bridge with the gateway address, up, turns forwarding on and installs the rules', async () => {
    await ensure(bridge);
    const addr = await run('ip', ['-br', 'addr', 'show', 'dev', 'rnx0']);
    assert.match(addr.stdout, /^rnx0\s+\S+\s+172\.20\.0\.1\/16/);
    const link = await run('ip', ['-j', 'link', 'show', 'dev', 'rnx0']);
    assert.ok((JSON.parse(link.stdout) as { flags: string[] }[])[0]?.flags.includes('UP'));
    assert.equal(readFileSync('/proc/sys/net/ipv4/ip_forward', 'utf8').trim(), '1');
    const table = await rnxTable();
    assert.ok(table !== undefined);
    assert.match(table, /chain fwd_rnx0 \{/);
    assert.match(table, /ip saddr 172\.20\.0\.0\/16 oifname != "rnx\*" masquerade/);
  });

  it('changes nothing when everything is already there (same rule handles)', async () => {
    await ensure(bridge);
    const first = await rnxTable();
    await ensure(bridge);
    assert.equal(await rnxTable(), first);
  });

  it('re-creates a bridge that went away, with its rules', async () => {
    await ensure(bridge);
    await run('ip', ['link', 'del', 'dev', 'rnx0']);
    await run('nft', ['delete', 'table', 'inet', 'rnx']);
    await ensure(bridge);
    assert.ok((await linkNames()).includes('rnx0'));
    assert.match((await rnxTable()) ?? '', /chain fwd_rnx0 \{/);
  });

  it('trusts a ready bridge and its own record of the rules: no nft run', async () => {
    await ensure(bridge);
    assert.match(recorded('rnx0') ?? '', /^rnx:[0-9a-f]{16} /);
    // Proof that nothing asks nft: rules taken away behind rnx's back are not noticed (documented).
    await run('nft', ['delete', 'table', 'inet', 'rnx']);
    await ensure(bridge);
    assert.equal(await rnxTable(), undefined);
  });

  it('applies the rules again when they were recorded for another version, or not at all', async () => {
    await ensure(bridge);
    const mine = recorded('rnx0') ?? '';
    db.prepare('UPDATE meta SET value = ? WHERE key = ?').run(
      mine.replace(/^rnx:[0-9a-f]{16}/, 'rnx:0123456789abcdef'),
      'host-rules:rnx0',
    );
    await run('nft', ['delete', 'table', 'inet', 'rnx']);
    await ensure(bridge);
    assert.match((await rnxTable()) ?? '', /chain fwd_rnx0 \{/);
    assert.equal(recorded('rnx0'), mine);
    db.exec("DELETE FROM meta WHERE key = 'host-rules:rnx0'");
    await run('nft', ['delete', 'table', 'inet', 'rnx']);
    await ensure(bridge);
    assert.match((await rnxTable()) ?? '', /chain fwd_rnx0 \{/);
  });

  it('keeps one set of base-chain rules however many networks are ensured', async () => {
    await ensure(bridge);
    await ensure(custom);
    // The rules applied again, network by network, as by rnx processes that recorded nothing.
    await run('nft', ['delete', 'table', 'inet', 'rnx']);
    db.exec("DELETE FROM meta WHERE key LIKE 'host-rules:%'");
    await ensure(custom);
    await ensure(bridge);
    await ensure(custom);
    const table = (await rnxTable()) ?? '';
    assert.equal(table.match(/iifname vmap @forward_from/g)?.length, 1);
    assert.match(table, /"rnx0" : jump fwd_rnx0/);
    assert.match(table, /"rnx-hosttest" : jump fwd_rnx-hosttest/);
  });

  it('never touches another table', async () => {
    await run('nft', ['add', 'table', 'inet', 'bystander']);
    await run('nft', [
      'add',
      'chain',
      'inet',
      'bystander',
      'c',
      '{ type filter hook forward priority 10; policy accept; }',
    ]);
    await run('nft', ['add', 'rule', 'inet', 'bystander', 'c', 'counter', 'accept']);
    const before = (await run('nft', ['-a', 'list', 'table', 'inet', 'bystander'])).stdout;
    await ensure(bridge);
    await ensure(custom);
    assert.ok((await removeNetworkFromHost(custom)).ok);
    assert.ok((await removeNetworkFromHost(bridge)).ok);
    const afterwards = (await run('nft', ['-a', 'list', 'table', 'inet', 'bystander'])).stdout;
    assert.equal(
      afterwards.replace(/packets \d+ bytes \d+/g, ''),
      before.replace(/packets \d+ bytes \d+/g, ''),
    );
    await run('nft', ['delete', 'table', 'inet', 'bystander']);
  });

  it('removes a network’s rules and bridge, and the table with the last rnx bridge', async () => {
    await ensure(bridge);
    await ensure(custom);
    assert.ok((await removeNetworkFromHost(custom, db)).ok);
    assert.equal(recorded('rnx-hosttest'), undefined);
    const table = (await rnxTable()) ?? '';
    assert.doesNotMatch(table, /hosttest/);
    assert.match(table, /fwd_rnx0/);
    assert.ok(!(await linkNames()).includes('rnx-hosttest'));
    assert.ok((await removeNetworkFromHost(bridge)).ok);
    assert.equal(await rnxTable(), undefined);
    assert.ok((await removeNetworkFromHost(bridge)).ok, 'removing twice is fine');
  });
});

describe('attachJob on a host whose bridge is gone', () => {
  before(requireSandbox);
  beforeEach(resetHost);
  after(resetHost);

  it('re-creates the bridge and rules before wiring the job', async () => {
    const { dir, cleanup } = tempDir('rnx-attach-');
    const db = openDatabase(dir);
    const job = await startSleeper();
    try {
      const lease = leaseAddress(db, 'bridge', currentProcessOwner('fresh'));
      assert.ok(lease.ok);
      const r = await attachJob({
        lease: lease.value,
        network: bridge,
        pid: job.pid,
        jobId: 'fresh',
      });
      assert.ok(r.ok, r.ok ? '' : r.problem.message);
      assert.ok((await linkNames()).includes('rnx0'));
      assert.match((await rnxTable()) ?? '', /fwd_rnx0/);
      assert.ok(await pingAnswered(job.pid, '172.20.0.1'));
      await detachJob(r.value.hostVeth);
      assert.ok(!(await linkNames()).includes(r.value.hostVeth));
      await detachJob(r.value.hostVeth); // idempotent
    } finally {
      await job.kill();
      db.close();
      cleanup();
    }
  });
});
