/**
 * The runner's side of the two-phase network setup. Phase 1 (before the job's process exists):
 * lease an address. Phase 2 (with the PID of a process inside the job's network namespace): wire
 * the veth, address, loopback and default route. Release undoes both, however the job ended.
 * `none` has no phase at all: the job's init brings its loopback up itself.
 */
import { fail, ok, type Result } from '../problem.js';
import type { Database } from '../state/database.js';

export interface NetworkLease {
  readonly network: string;
  readonly address: string;
}

export interface PreparedNetwork {
  /** False for `none`: no lease, no phase 2. */
  readonly attached: boolean;
  readonly lease?: NetworkLease;
  /** The host end of the job's veth, named before it is created (recorded for cleanup). */
  readonly hostVeth?: string;
}

/** Phase 1. */
export function prepareNetwork(
  _db: Database,
  jobId: string,
  network: string,
  _owner: { pid: number; pidStartTime: number },
): Result<PreparedNetwork> {
  void jobId;
  if (network === 'none') return ok({ attached: false });
  return fail(
    'network-unavailable',
    `network '${network}' is not available in this build: only --network=none works yet`,
    'run with --network=none',
  );
}

/** Phase 2. */
export function attachNetwork(
  _prepared: PreparedNetwork,
  _jobId: string,
  _pid: number,
): Promise<Result<void>> {
  return Promise.resolve(ok(undefined));
}

/** Undoes phases 1 and 2 (idempotent): the veth, then the lease. */
export function releaseNetwork(_db: Database, _jobId: string, _hostVeth?: string): Promise<void> {
  return Promise.resolve();
}
