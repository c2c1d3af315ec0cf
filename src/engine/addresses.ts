/**
 * Phase 1 for a whole workflow: every job's address is leased before any job starts, so that each
 * job's /etc/hosts can list the other jobs of its own network by name (jobs on other networks are
 * not listed). All or nothing: if one lease fails, the ones already taken are released.
 */
import type { HostEntry } from '../isolation/job-spec.js';
import { ok, type Result } from '../problem.js';
import type { PlannedJob } from '../validate/model.js';
import type { AddressLeaser, LeasedAddress } from './ports.js';

export async function leaseAll<L extends LeasedAddress>(
  jobs: readonly PlannedJob[],
  ids: ReadonlyMap<string, string>,
  leaser: AddressLeaser<L>,
): Promise<Result<Map<string, L>>> {
  const leases = new Map<string, L>();
  for (const job of jobs) {
    const id = ids.get(job.name);
    if (id === undefined) throw new Error(`no job id for '${job.name}'`);
    const leased = await leaser.lease(job.network, id);
    if (!leased.ok) {
      await releaseAll(leases, leaser);
      return {
        ok: false,
        problem: { ...leased.problem, message: `job ${job.name}: ${leased.problem.message}` },
      };
    }
    if (leased.value !== undefined) leases.set(job.name, leased.value);
  }
  return ok(leases);
}

export async function releaseAll<L extends LeasedAddress>(
  leases: ReadonlyMap<string, L>,
  leaser: AddressLeaser<L>,
): Promise<void> {
  for (const lease of leases.values()) await leaser.release(lease.jobId);
}

/** The other jobs on `job`'s network that have an address and can be reached, for /etc/hosts. */
export function hostsFor(
  job: PlannedJob,
  jobs: readonly PlannedJob[],
  leases: ReadonlyMap<string, LeasedAddress>,
): HostEntry[] {
  const hosts: HostEntry[] = [];
  for (const other of jobs) {
    if (other.name === job.name || other.network !== job.network) continue;
    const lease = leases.get(other.name);
    if (lease !== undefined && lease.listed !== false) {
      hosts.push({ name: other.name, address: lease.address });
    }
  }
  return hosts;
}
