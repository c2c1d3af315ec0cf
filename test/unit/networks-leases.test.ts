/** Allocation logic on a real (temporary) state database; no host networking involved. */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { openDatabase, type Database } from '../../src/state/database.js';
import { mustParseCidr } from '../../src/networks/cidr.js';
import {
  leaseAddress,
  listLeases,
  reclaimStaleLeases,
  releaseLease,
} from '../../src/networks/leases.js';
import { currentProcessOwner } from '../../src/networks/owner.js';
import { insertNetwork } from '../../src/networks/store.js';
import type { LeaseOwner } from '../../src/networks/types.js';
import { tempDir } from '../helpers/cli.js';

/** A pid above the kernel's maximum (2^22): never a live process. */
const DEAD_PID = 4_194_305;

describe('IP leases', () => {
  let db: Database;
  let cleanup: () => void;
  const me = (jobId: string): LeaseOwner => currentProcessOwner(jobId);

  function addNetwork(name: string, cidr: string): void {
    const r = insertNetwork(db, { name, cidr: mustParseCidr(cidr), internal: false });
    assert.ok(r.ok);
  }

  function lease(network: string, owner: LeaseOwner): string {
    const r = leaseAddress(db, network, owner);
    assert.ok(r.ok, r.ok ? '' : r.problem.message);
    return r.value.address;
  }

  function freeRanges(network: string): { first: number; last: number }[] {
    const rows = db
      .prepare('SELECT first, last FROM free_ranges WHERE network = ? ORDER BY first')
      .all(network) as { first: number; last: number }[];
    return rows.map((r) => ({ first: r.first, last: r.last }));
  }

  beforeEach(() => {
    const dir = tempDir('rnx-leases-');
    cleanup = dir.cleanup;
    db = openDatabase(dir.dir);
  });

  afterEach(() => {
    db.close();
    cleanup();
  });

  it('hands out the address after the gateway first, with prefix, gateway and bridge', () => {
    addNetwork('dev', '10.1.0.0/24');
    const r = leaseAddress(db, 'dev', me('j1'));
    assert.ok(r.ok);
    assert.deepEqual(r.value, {
      network: 'dev',
      jobId: 'j1',
      address: '10.1.0.2',
      prefixLength: 24,
      gateway: '10.1.0.1',
      bridge: 'rnx-dev',
    });
  });

  it('leases built-in networks without any stored record', () => {
    assert.equal(lease('bridge', me('b1')), '172.20.0.2');
    assert.equal(lease('isolated', me('i1')), '172.21.0.2');
    const none = leaseAddress(db, 'none', me('n1'));
    assert.ok(!none.ok);
    assert.equal(none.problem.code, 'network-none');
  });

  it('fills a /24 with 253 distinct addresses, never network, gateway or broadcast, then fails naming it and its size', () => {
    addNetwork('small', '10.2.0.0/24');
    const seen = new Set<string>();
    for (let i = 0; i < 253; i++) seen.add(lease('small', me(`j${String(i)}`)));
    assert.equal(seen.size, 253);
    for (const reserved of ['10.2.0.0', '10.2.0.1', '10.2.0.255']) assert.ok(!seen.has(reserved));
    const full = leaseAddress(db, 'small', me('one-too-many'));
    assert.ok(!full.ok);
    assert.equal(
      full.problem.message,
      "network 'small' (10.2.0.0/24) is full: all 253 job addresses are leased",
    );
  });

  it('leases exactly one address in a /30', () => {
    addNetwork('tiny', '10.3.0.0/30');
    assert.equal(lease('tiny', me('a')), '10.3.0.2');
    assert.equal(leaseAddress(db, 'tiny', me('b')).ok, false);
  });

  it('is next-fit: a released address is reused only after the cursor wraps around', () => {
    addNetwork('nf', '10.4.0.0/29'); // job addresses .2 to .6
    for (const id of ['a', 'b', 'c']) lease('nf', me(id)); // .2 .3 .4
    assert.ok(releaseLease(db, 'a'));
    assert.equal(lease('nf', me('d')), '10.4.0.5');
    assert.equal(lease('nf', me('e')), '10.4.0.6');
    assert.equal(lease('nf', me('f')), '10.4.0.2');
  });

  it('returns the same lease when a job asks twice, and refuses a second network', () => {
    addNetwork('one', '10.5.0.0/24');
    addNetwork('two', '10.6.0.0/24');
    assert.equal(lease('one', me('job')), lease('one', me('job')));
    const other = leaseAddress(db, 'two', me('job'));
    assert.ok(!other.ok);
    assert.equal(other.problem.code, 'lease-exists');
    assert.equal(listLeases(db, 'one').length, 1);
  });

  it('merges released addresses back into one free range', () => {
    addNetwork('merge', '10.7.0.0/24');
    for (let i = 0; i < 10; i++) lease('merge', me(`m${String(i)}`));
    for (const i of [3, 1, 2, 9, 0, 5, 4, 8, 6, 7]) releaseLease(db, `m${String(i)}`);
    const base = mustParseCidr('10.7.0.0/24').base;
    assert.deepEqual(freeRanges('merge'), [{ first: base + 2, last: base + 254 }]);
  });

  it('keeps the free space to a handful of rows however large the network', () => {
    addNetwork('huge', '11.0.0.0/8');
    for (let i = 0; i < 1000; i++) lease('huge', me(`h${String(i)}`));
    for (let i = 0; i < 1000; i += 2) releaseLease(db, `h${String(i)}`);
    assert.ok(freeRanges('huge').length <= 501);
    assert.equal(lease('huge', me('next')), '11.0.3.234'); // next-fit: after the 1000th address
  });

  it('reclaims leases of owners that are gone or whose pid was reused, but only when full', () => {
    addNetwork('stale', '10.8.0.0/30');
    const gone: LeaseOwner = { jobId: 'gone', pid: DEAD_PID, pidStartTime: 1 };
    assert.equal(lease('stale', gone), '10.8.0.2');
    const again = leaseAddress(db, 'stale', me('new'));
    assert.ok(again.ok, 'the dead owner’s address is reclaimed');
    assert.equal(again.value.address, '10.8.0.2');

    addNetwork('reused', '10.9.0.0/30');
    const reused: LeaseOwner = { jobId: 'reused', pid: process.pid, pidStartTime: 1 };
    lease('reused', reused);
    assert.deepEqual(reclaimStaleLeases(db), ['reused']);
    assert.deepEqual(
      listLeases(db, 'stale').map((l) => l.jobId),
      ['new'],
    );
  });

  it('does not reclaim a lease whose owner is alive', () => {
    addNetwork('alive', '10.10.0.0/30');
    lease('alive', me('holder'));
    assert.deepEqual(reclaimStaleLeases(db), []);
    assert.equal(leaseAddress(db, 'alive', me('other')).ok, false);
  });

  it('refuses an unknown network with a suggestion', () => {
    const r = leaseAddress(db, 'brige', me('x'));
    assert.ok(!r.ok);
    assert.equal(r.problem.message, "network 'brige' does not exist");
    assert.equal(r.problem.hint, "did you mean 'bridge'?");
  });
});
