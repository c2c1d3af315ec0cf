/**
 * The runner's side of the two-phase network setup (src/networks does the wiring).
 * Phase 1, before the job's process exists: lease an address (the runner is the lease's one owner:
 * nobody else leases for a job) and name the host veth, both recorded before anything is
 * created; the host side of the network (bridge, nft rules) is ensured meanwhile, in parallel with
 * the job's start. Phase 2, with the PID of a process inside the job's network namespace: the veth
 * with its peer made directly in that namespace, address, default route (networks/attach.ts).
 * releaseNetwork undoes both, however the job ended, and is idempotent.
 * `none` has no phase at all: the job's init brings its loopback up itself.
 */
import { fail, ok, type Result } from '../../problem.js';
import type { Database } from '../../state/database.js';
import {
  attachJob,
  ensureNetworkOnHost,
  getNetwork,
  leaseAddress,
  releaseJobVeth,
  releaseLease,
  startJobSide,
  vethName,
  warmIpSession,
  type JobSide,
  type Lease,
  type Network,
} from '../../networks/index.js';

export interface PreparedNetwork {
  /** False for `none`: no lease, no phase 2. */
  readonly attached: boolean;
  readonly network?: Network;
  readonly lease?: Lease;
  /** The host end of the job's veth, named before it is created (recorded for cleanup). */
  readonly hostVeth?: string;
  /** The host side of the network (bridge, rules), being ensured while the job starts. */
  readonly onHost?: Promise<Result<void>>;
  /**
   * Phase 2's job side, started ahead and waiting for the job's pid (readyJobSide), or done by the
   * job's PID 1 itself (`in-sandbox`: rnx-sandbox's `--eth0`).
   */
  readonly jobSide?: JobSide | 'in-sandbox';
}

/** Phase 1. */
export function prepareNetwork(
  db: Database,
  jobId: string,
  networkName: string,
  owner: { pid: number; pidStartTime: number },
): Result<PreparedNetwork> {
  const network = getNetwork(db, networkName);
  if (!network.ok) return network;
  if (network.value.mode === 'none') return ok({ attached: false, network: network.value });
  const lease = leaseAddress(db, network.value.name, { jobId, ...owner });
  if (!lease.ok) return lease;
  return ok({
    attached: true,
    network: network.value,
    lease: lease.value,
    hostVeth: vethName(jobId),
  });
}

/**
 * Starts ensuring the network's host side (idempotent, spawns nothing when it is all there), and
 * rnx's own `ip` for phase 2's host side (once per rnx: see networks/ip-session.ts), which loads
 * while the job's sandbox is made.
 */
export function ensureOnHost(db: Database, prepared: PreparedNetwork): PreparedNetwork {
  if (!prepared.attached || prepared.network === undefined) return prepared;
  warmIpSession();
  const onHost = ensureNetworkOnHost(prepared.network, db);
  // Observed later by attachNetwork; never left as an unhandled rejection.
  onHost.catch(() => undefined);
  return { ...prepared, onHost };
}

/**
 * Starts phase 2's job side ahead of the job's pid (networks/attach.ts: startJobSide), to be
 * called just after the job's bwrap was spawned (by rnx or by the spawner process): the fork of
 * rnx it costs then overlaps bwrap making the job's namespaces instead of delaying the go. Ended
 * by closeJobSide if phase 2 never comes.
 */
export function readyJobSide(prepared: PreparedNetwork, inSandbox: boolean): PreparedNetwork {
  if (!prepared.attached) return prepared;
  if (inSandbox) return { ...prepared, jobSide: 'in-sandbox' };
  const side = startJobSide();
  // A missing tool is for phase 2 to say (it fails the same way, as the start's problem).
  return side.ok ? { ...prepared, jobSide: side.value } : prepared;
}

/** Ends a job side phase 2 did not use (idempotent: one it used has ended already). */
export function closeJobSide(prepared: PreparedNetwork): void {
  if (prepared.jobSide !== undefined && prepared.jobSide !== 'in-sandbox') {
    prepared.jobSide.tool.finish('');
  }
}

/** Phase 2 (after ensureOnHost). */
export async function attachNetwork(
  prepared: PreparedNetwork,
  jobId: string,
  pid: number,
): Promise<Result<void>> {
  if (!prepared.attached) return ok(undefined);
  if (prepared.network === undefined || prepared.lease === undefined) {
    return fail('network-setup', 'no address was leased for this job');
  }
  const host = await prepared.onHost;
  if (host !== undefined && !host.ok) return host;
  const wired = await attachJob({
    lease: prepared.lease,
    network: prepared.network,
    pid,
    jobId,
    ...(prepared.jobSide === undefined ? {} : { jobSide: prepared.jobSide }),
  });
  return wired.ok ? ok(undefined) : wired;
}

/**
 * Undoes phases 1 and 2 (idempotent), once the job's processes are gone: the veth (gone with the
 * job's namespace, or deleted: releaseJobVeth), then the lease.
 */
export async function releaseNetwork(
  db: Database,
  jobId: string,
  hostVeth?: string,
): Promise<void> {
  if (hostVeth !== undefined) await releaseJobVeth(hostVeth);
  releaseLease(db, jobId);
}

/**
 * Undoes phases 1 and 2 without waiting for the veth: the lease is released now; the kernel removes
 * the veth with the job's network namespace once the job's last process is gone, and
 * releaseJobVeth, in the background, deletes it only if it outlives that. Whoever waits for the
 * job's end waits for neither.
 */
export function releaseNetworkSoon(db: Database, jobId: string, hostVeth?: string): void {
  // The veth first: a lease that cannot be written (a full state directory) throws, and the
  // next rnx frees it; the veth must go whatever happens to the records.
  if (hostVeth !== undefined) void releaseJobVeth(hostVeth).catch(() => undefined);
  releaseLease(db, jobId);
}
