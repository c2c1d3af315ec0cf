/**
 * IP leases. Phase 1 of wiring a job: before the job's process exists, it gets an address of its
 * network, recorded with its owner (job id, pid, pid start time). Leasing is one BEGIN IMMEDIATE
 * transaction, so concurrent rnx processes never hand out an address twice. Network and broadcast
 * addresses are never leased, nor the gateway (the first usable address, the bridge's own).
 * When a network is full, leases whose owner process is gone are reclaimed before giving up.
 */
import { transaction, type Database } from '../state/database.js';
import { fail, ok, type Result } from '../problem.js';
import { gatewayOf, intToIp, mustParseCidr, sizeOf } from './cidr.js';
import { giveBack, initialiseIfNeeded, takeAddress } from './free-ranges.js';
import { ownerAlive } from './owner.js';
import { findNetwork, getNetwork } from './store.js';
import type { Lease, LeaseOwner, LeaseRecord, Network } from './types.js';
import { sql } from '../state/statements.js';

interface LeaseRow {
  network: string;
  address: number;
  job_id: string;
  pid: number;
  pid_start: number;
  created_at: string;
}

function toLease(network: Network, jobId: string, address: number): Lease {
  const cidr = mustParseCidr(network.cidr);
  return {
    network: network.name,
    jobId,
    address: intToIp(address),
    prefixLength: cidr.prefix,
    gateway: intToIp(gatewayOf(cidr)),
    bridge: network.bridge,
  };
}

/** Deletes stale leases (owner gone) of one network, or of all networks; returns their job ids. */
function reclaimWhere(db: Database, network: string | undefined): string[] {
  const rows = (network === undefined
    ? sql(db, 'SELECT network, address, job_id, pid, pid_start FROM leases').all()
    : sql(db, 'SELECT network, address, job_id, pid, pid_start FROM leases WHERE network = ?').all(
        network,
      )) as unknown as LeaseRow[];
  const alive = new Map<string, boolean>();
  const reclaimed: string[] = [];
  for (const row of rows) {
    const key = `${String(row.pid)}:${String(row.pid_start)}`;
    let isAlive = alive.get(key);
    if (isAlive === undefined) {
      isAlive = ownerAlive(row.pid, row.pid_start);
      alive.set(key, isAlive);
    }
    if (isAlive) continue;
    sql(db, 'DELETE FROM leases WHERE network = ? AND address = ?').run(row.network, row.address);
    giveBack(db, row.network, row.address);
    reclaimed.push(row.job_id);
  }
  return reclaimed;
}

/**
 * Leases an address of `networkName` for `owner.jobId`. Leasing again for a job that already holds
 * an address in that network returns the same lease.
 */
export function leaseAddress(db: Database, networkName: string, owner: LeaseOwner): Result<Lease> {
  // Looked up inside the transaction: a network removed meanwhile cannot receive a lease.
  return transaction(db, (): Result<Lease> => {
    const found = getNetwork(db, networkName);
    if (!found.ok) return found;
    const network = found.value;
    if (network.mode === 'none') {
      return fail('network-none', "network 'none' has no addresses: its jobs only have loopback");
    }
    const cidr = mustParseCidr(network.cidr);
    const existing = sql(db, 'SELECT network, address FROM leases WHERE job_id = ?').get(
      owner.jobId,
    ) as { network: string; address: number } | undefined;
    if (existing !== undefined) {
      if (existing.network === network.name) {
        return ok(toLease(network, owner.jobId, existing.address));
      }
      return fail(
        'lease-exists',
        `job ${owner.jobId} already holds an address in network '${existing.network}'`,
      );
    }
    initialiseIfNeeded(db, network.name, cidr);
    let address = takeAddress(db, network.name);
    if (address === undefined && reclaimWhere(db, network.name).length > 0) {
      address = takeAddress(db, network.name);
    }
    if (address === undefined) {
      return fail(
        'network-full',
        `network '${network.name}' (${network.cidr}) is full: all ${String(sizeOf(cidr) - 3)} job addresses are leased`,
        'wait for jobs to finish, or use a network with a larger CIDR',
      );
    }
    sql(
      db,
      'INSERT INTO leases (network, address, job_id, pid, pid_start, created_at) VALUES (?, ?, ?, ?, ?, ?)',
    ).run(
      network.name,
      address,
      owner.jobId,
      owner.pid,
      owner.pidStartTime,
      new Date().toISOString(),
    );
    return ok(toLease(network, owner.jobId, address));
  });
}

/** Releases the lease of a job (no-op when it holds none). Returns true when one was released. */
export function releaseLease(db: Database, jobId: string): boolean {
  return transaction(db, () => {
    const row = sql(db, 'SELECT network, address FROM leases WHERE job_id = ?').get(jobId) as
      { network: string; address: number } | undefined;
    if (row === undefined) return false;
    sql(db, 'DELETE FROM leases WHERE job_id = ?').run(jobId);
    giveBack(db, row.network, row.address);
    return true;
  });
}

/** Reclaims every lease whose owner process no longer exists; returns the job ids reclaimed. */
export function reclaimStaleLeases(db: Database, network?: string): string[] {
  return transaction(db, () => reclaimWhere(db, network));
}

/** Current leases of a network, by address. */
export function listLeases(db: Database, networkName: string): LeaseRecord[] {
  const rows = sql(
    db,
    'SELECT network, address, job_id, pid, pid_start, created_at FROM leases WHERE network = ? ORDER BY address',
  ).all(networkName) as unknown as LeaseRow[];
  return rows.map((row) => ({
    jobId: row.job_id,
    address: intToIp(row.address),
    pid: row.pid,
    createdAt: row.created_at,
  }));
}

/** The lease a job holds, if any. */
export function findLease(db: Database, jobId: string): Lease | undefined {
  const row = sql(db, 'SELECT network, address FROM leases WHERE job_id = ?').get(jobId) as
    { network: string; address: number } | undefined;
  if (row === undefined) return undefined;
  const network = findNetwork(db, row.network);
  return network === undefined ? undefined : toLease(network, jobId, row.address);
}

/** Hands a job's lease over to another owner process (a detached job's supervisor). */
export function transferLease(
  db: Database,
  jobId: string,
  owner: { pid: number; pidStartTime: number },
): void {
  sql(db, 'UPDATE leases SET pid = ?, pid_start = ? WHERE job_id = ?').run(
    owner.pid,
    owner.pidStartTime,
    jobId,
  );
}
