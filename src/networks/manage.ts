/**
 * Creating and removing custom networks: input checks, host conflicts, the record, then the host
 * side. Nothing is left half-created: when the host side fails, the record and whatever was made
 * are removed again and the Problem is returned.
 */
import { checkUsable } from './reserved.js';
import type { Database } from '../state/database.js';
import { fail, ok, type Result } from '../problem.js';
import { builtinNetwork } from './builtins.js';
import { formatCidr, parseCidr, type Cidr } from './cidr.js';
import { findHostConflict, readHostFacts, type HostFacts } from './host-conflicts.js';
import { removeNetworkFromHost, setUpOnHost, undoHost } from './host.js';
import { reclaimStaleLeases } from './leases.js';
import { validateName } from './names.js';
import { deleteNetworkRecord, getNetwork, insertNetwork, leaseCount } from './store.js';
import type { Network } from './types.js';

export interface CreateNetworkInput {
  readonly name: string;
  readonly cidr: string;
  readonly internal?: boolean;
}

/** Pure checks on the name and CIDR; the parsed CIDR on success. */
export function validateNetworkInput(
  input: CreateNetworkInput,
): Result<{ name: string; cidr: Cidr }> {
  if (builtinNetwork(input.name) !== undefined) {
    return fail(
      'network-builtin',
      `failed to create network: '${input.name}' is a built-in network`,
      'built-in networks (bridge, isolated, none) always exist; choose another name',
    );
  }
  const name = validateName(input.name);
  if (!name.ok) return name;
  const cidr = parseCidr(input.cidr);
  if (!cidr.ok) return cidr;
  const usable = checkUsable(cidr.value);
  if (!usable.ok) return usable;
  return ok({ name: input.name, cidr: cidr.value });
}

export interface CreateOptions {
  /** The host's addresses, routes and DNS servers, when the caller started reading them early. */
  readonly hostFacts?: Promise<Result<HostFacts>>;
}

export async function createNetwork(
  db: Database,
  input: CreateNetworkInput,
  options: CreateOptions = {},
): Promise<Result<Network>> {
  const valid = validateNetworkInput(input);
  if (!valid.ok) return valid;
  const { name, cidr } = valid.value;
  const facts = await (options.hostFacts ?? readHostFacts());
  if (!facts.ok) return facts;
  const conflict = findHostConflict(cidr, facts.value);
  if (conflict !== undefined) {
    return fail(
      'cidr-host-conflict',
      `failed to create network: CIDR ${formatCidr(cidr)} overlaps with ${conflict}`,
      'choose a range the host does not use',
    );
  }
  const inserted = insertNetwork(db, { name, cidr, internal: input.internal === true });
  if (!inserted.ok) return inserted;
  const network = inserted.value;
  const host = await setUpOnHost(network, { db });
  if (!host.ok) {
    await undoHost(network);
    deleteNetworkRecord(db, network.name);
    return host;
  }
  return ok(network);
}

/**
 * Removes a custom network: refused for built-ins and while a job holds an address in it (leases
 * of processes that no longer exist are reclaimed first). Deletes the bridge, the rules, then the
 * record.
 */
export async function removeNetwork(db: Database, name: string): Promise<Result<Network>> {
  const found = getNetwork(db, name);
  if (!found.ok) return found;
  const network = found.value;
  if (network.builtin) {
    return fail('network-builtin', `cannot remove built-in network '${name}'`);
  }
  reclaimStaleLeases(db, name);
  const inUse = (): Result<never> =>
    fail(
      'network-in-use',
      `cannot remove network '${name}': a job holds an address in it`,
      `see 'rnx network inspect ${name}'; remove it once its jobs have ended`,
    );
  if (leaseCount(db, name) > 0) return inUse();
  const host = await removeNetworkFromHost(network, db);
  if (!host.ok) return host;
  if (deleteNetworkRecord(db, name) > 0) return inUse();
  return ok(network);
}
