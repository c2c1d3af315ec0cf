/**
 * The three built-in networks. They are constants in code, not rows in the database: they can
 * never be created, changed or removed, and every rnx version agrees on them. Their CIDRs take part
 * in the overlap check like any stored network, and their leases live in the same lease table.
 *   bridge    172.20.0.0/16 on rnx0: NAT to the outside, jobs reach each other (the default).
 *   isolated  172.21.0.0/16 on rnx1: NAT to the outside, bridge ports isolated, so no job reaches
 *             another job (enforced twice: the bridge's port isolation and an nft drop rule).
 *   none      loopback only: no address, no veth, no bridge.
 */
import type { Network } from './types.js';

export const DEFAULT_NETWORK = 'bridge';

export const BUILTIN_NETWORKS: readonly Network[] = [
  {
    name: 'bridge',
    cidr: '172.20.0.0/16',
    bridge: 'rnx0',
    builtin: true,
    internal: false,
    mode: 'bridge',
  },
  {
    name: 'isolated',
    cidr: '172.21.0.0/16',
    bridge: 'rnx1',
    builtin: true,
    internal: false,
    mode: 'isolated',
  },
  { name: 'none', cidr: '', bridge: '', builtin: true, internal: true, mode: 'none' },
];

/** Their names, for code that needs nothing else of them (validation's catalog). */
export const BUILTIN_NETWORK_NAMES: readonly string[] = BUILTIN_NETWORKS.map((n) => n.name);

export function builtinNetwork(name: string): Network | undefined {
  return BUILTIN_NETWORKS.find((n) => n.name === name);
}

/** Built-ins that own an address range (everything but `none`). */
export function addressedBuiltins(): readonly Network[] {
  return BUILTIN_NETWORKS.filter((n) => n.mode !== 'none');
}
