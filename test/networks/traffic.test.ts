/**
 * Real packets between real network namespaces: jobs (sleepers in their own netns) are leased an
 * address and wired with attachJob, exactly as the runner does, then ping and talk TCP.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { openDatabase, type Database } from '../../src/state/database.js';
import { attachJob, detachJob } from '../../src/networks/attach.js';
import { ensureNetworkOnHost } from '../../src/networks/host.js';
import { leaseAddress, releaseLease } from '../../src/networks/leases.js';
import { createNetwork, removeNetwork } from '../../src/networks/manage.js';
import { processStartTime } from '../../src/networks/owner.js';
import { getNetwork } from '../../src/networks/store.js';
import type { Lease } from '../../src/networks/types.js';
import { tempDir } from '../helpers/cli.js';
import {
  canPing,
  pingAnswered,
  inNetns,
  requireSandbox,
  resetHost,
  startPeerServer,
  startSleeper,
  tcpPeer,
  type Sleeper,
} from './netns.js';

const UPSTREAM = process.env['RNX_TEST_UPSTREAM'] ?? '198.51.100.1';
const HOST_UPLINK = '198.51.100.2';

interface Job {
  readonly sleeper: Sleeper;
  readonly lease: Lease;
  readonly hostVeth: string;
}

describe('traffic between jobs on rnx networks', () => {
  let db: Database;
  let cleanupDir: () => void;
  const jobs: Job[] = [];
  let counter = 0;

  async function join(network: string): Promise<Job> {
    const sleeper = await startSleeper();
    const jobId = `traffic-${String(++counter)}`;
    const found = getNetwork(db, network);
    assert.ok(found.ok);
    const lease = leaseAddress(db, network, {
      jobId,
      pid: sleeper.pid,
      pidStartTime: processStartTime(sleeper.pid) ?? 0,
    });
    assert.ok(lease.ok, lease.ok ? '' : lease.problem.message);
    const ensured = await ensureNetworkOnHost(found.value, db);
    assert.ok(ensured.ok, ensured.ok ? '' : ensured.problem.message);
    const attached = await attachJob({
      lease: lease.value,
      network: found.value,
      pid: sleeper.pid,
      jobId,
    });
    assert.ok(attached.ok, attached.ok ? '' : attached.problem.message);
    const job = { sleeper, lease: lease.value, hostVeth: attached.value.hostVeth };
    jobs.push(job);
    return job;
  }

  before(async () => {
    requireSandbox();
    const dir = tempDir('rnx-traffic-');
    cleanupDir = dir.cleanup;
    db = openDatabase(dir.dir);
    for (const [name, cidr, internal] of [
      ['alpha', '10.50.0.0/24', false],
      ['beta', '10.51.0.0/24', false],
      ['vault', '10.52.0.0/24', true],
    ] as const) {
      const created = await createNetwork(db, { name, cidr, internal });
      assert.ok(created.ok, created.ok ? '' : created.problem.message);
    }
  });

  after(async () => {
    for (const job of jobs) {
      await detachJob(job.hostVeth);
      await job.sleeper.kill();
      releaseLease(db, job.lease.jobId);
    }
    for (const name of ['alpha', 'beta', 'vault']) await removeNetwork(db, name);
    await resetHost();
    db.close();
    cleanupDir();
  });

  it('gives a job eth0 with its leased address and a default route via the gateway, lo untouched', async () => {
    const job = await join('alpha');
    assert.equal(job.lease.gateway, '10.50.0.1');
    assert.equal(job.lease.address, '10.50.0.2');
    const addr = await inNetns(job.sleeper.pid, ['ip', '-br', 'addr', 'show', 'dev', 'eth0']);
    assert.match(addr.stdout, /UP\s+10\.50\.0\.2\/24/);
    const route = await inNetns(job.sleeper.pid, ['ip', 'route', 'show', 'default']);
    assert.match(route.stdout, /default via 10\.50\.0\.1 dev eth0/);
    // lo is the sandbox's to bring up (bwrap does, at the same moment): still up, still 127.0.0.1.
    const lo = await inNetns(job.sleeper.pid, ['ip', '-br', 'addr', 'show', 'dev', 'lo']);
    assert.match(lo.stdout, /UNKNOWN\s+127\.0\.0\.1\/8/);
    assert.ok(await pingAnswered(job.sleeper.pid, '10.50.0.1'), 'the gateway answers');
  });

  it('lets jobs on the same custom network reach each other over ICMP and TCP', async () => {
    const a = await join('alpha');
    const b = await join('alpha');
    assert.ok(await pingAnswered(a.sleeper.pid, b.lease.address));
    const server = await startPeerServer(
      ['nsenter', `--net=/proc/${String(b.sleeper.pid)}/ns/net`],
      7001,
    );
    try {
      assert.equal(await tcpPeer(a.sleeper.pid, b.lease.address, 7001), `peer ${a.lease.address}`);
    } finally {
      await server.stop();
    }
  });

  it('lets jobs on the default bridge network reach each other', async () => {
    const a = await join('bridge');
    const b = await join('bridge');
    assert.match(a.lease.address, /^172\.20\.0\./);
    assert.ok(await pingAnswered(a.sleeper.pid, b.lease.address));
  });

  it('drops traffic between two different networks, both ways', async () => {
    const a = await join('alpha');
    const b = await join('beta');
    const c = await join('bridge');
    assert.equal(await canPing(a.sleeper.pid, b.lease.address), false);
    assert.equal(await canPing(b.sleeper.pid, a.lease.address), false);
    assert.equal(await canPing(c.sleeper.pid, a.lease.address), false);
    const server = await startPeerServer(
      ['nsenter', `--net=/proc/${String(b.sleeper.pid)}/ns/net`],
      7002,
    );
    try {
      assert.equal(await tcpPeer(a.sleeper.pid, b.lease.address, 7002), undefined);
    } finally {
      await server.stop();
    }
  });

  it('NATs jobs to the outside host, which sees the host uplink address', async () => {
    const server = await startPeerServer(['ip', 'netns', 'exec', 'upstream'], 7003);
    try {
      const a = await join('alpha');
      const c = await join('bridge');
      assert.equal(await tcpPeer(a.sleeper.pid, UPSTREAM, 7003), `peer ${HOST_UPLINK}`);
      assert.equal(await tcpPeer(c.sleeper.pid, UPSTREAM, 7003), `peer ${HOST_UPLINK}`);
    } finally {
      await server.stop();
    }
  });

  it('lets isolated jobs reach the outside host but not each other', async () => {
    const a = await join('isolated');
    const b = await join('isolated');
    assert.match(a.lease.address, /^172\.21\.0\./);
    assert.ok(await pingAnswered(a.sleeper.pid, UPSTREAM), 'outside host reachable');
    const outside = await startPeerServer(['ip', 'netns', 'exec', 'upstream'], 7005);
    try {
      assert.equal(await tcpPeer(b.sleeper.pid, UPSTREAM, 7005), `peer ${HOST_UPLINK}`);
    } finally {
      await outside.stop();
    }
    assert.equal(await canPing(a.sleeper.pid, b.lease.address), false);
    assert.equal(await canPing(b.sleeper.pid, a.lease.address), false);
    const server = await startPeerServer(
      ['nsenter', `--net=/proc/${String(b.sleeper.pid)}/ns/net`],
      7004,
    );
    try {
      assert.equal(await tcpPeer(a.sleeper.pid, b.lease.address, 7004), undefined);
    } finally {
      await server.stop();
    }
  });

  it('lets internal jobs reach each other but neither the outside host nor other host addresses', async () => {
    const a = await join('vault');
    const b = await join('vault');
    assert.ok(await pingAnswered(a.sleeper.pid, b.lease.address));
    assert.ok(await pingAnswered(a.sleeper.pid, '10.52.0.1'), 'the gateway answers');
    assert.equal(await canPing(a.sleeper.pid, UPSTREAM), false);
    assert.equal(await canPing(a.sleeper.pid, HOST_UPLINK), false);
  });
});
