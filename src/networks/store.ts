/**
 * Networks in the state database. Built-ins come from builtins.ts; custom networks are rows of the
 * `networks` table. Inserting checks the name and every overlap inside one BEGIN IMMEDIATE
 * transaction, so that many `rnx network create` processes at once can never both win.
 */
import { transaction, type Database } from '../state/database.js';
import { fail, ok, type Result } from '../problem.js';
import { closest } from '../suggest.js';
import { addressedBuiltins, BUILTIN_NETWORKS, builtinNetwork } from './builtins.js';
import { formatCidr, mustParseCidr, overlaps, sizeOf, type Cidr } from './cidr.js';
import { bridgeName } from './names.js';
import type { Network } from './types.js';
import { sql } from '../state/statements.js';

interface NetworkRow {
  name: string;
  cidr: string;
  bridge: string;
  internal: number;
}

function fromRow(row: NetworkRow): Network {
  return {
    name: row.name,
    cidr: row.cidr,
    bridge: row.bridge,
    builtin: false,
    internal: row.internal === 1,
    mode: 'custom',
  };
}

function customNetworks(db: Database): Network[] {
  const rows = sql(
    db,
    'SELECT name, cidr, bridge, internal FROM networks ORDER BY name',
  ).all() as unknown as NetworkRow[];
  return rows.map(fromRow);
}

/** Every network: built-ins first (bridge, isolated, none), then custom networks by name. */
export function listNetworks(db: Database): Network[] {
  return [...BUILTIN_NETWORKS, ...customNetworks(db)];
}

export function findNetwork(db: Database, name: string): Network | undefined {
  const builtin = builtinNetwork(name);
  if (builtin !== undefined) return builtin;
  const row = sql(db, 'SELECT name, cidr, bridge, internal FROM networks WHERE name = ?').get(
    name,
  ) as NetworkRow | undefined;
  return row === undefined ? undefined : fromRow(row);
}

/** A network by name, or a `network-not-found` Problem with a "did you mean". */
export function getNetwork(db: Database, name: string): Result<Network> {
  const network = findNetwork(db, name);
  if (network !== undefined) return ok(network);
  const guess = closest(
    name,
    listNetworks(db).map((n) => n.name),
  );
  return fail(
    'network-not-found',
    `network '${name}' does not exist`,
    guess === undefined ? "see 'rnx network list'" : `did you mean '${guess}'?`,
  );
}

/** The first network (built-in or stored) whose range overlaps `cidr`. */
function overlapping(db: Database, cidr: Cidr): Network | undefined {
  for (const network of [...addressedBuiltins(), ...customNetworks(db)]) {
    if (overlaps(cidr, mustParseCidr(network.cidr))) return network;
  }
  return undefined;
}

export interface NewNetwork {
  readonly name: string;
  readonly cidr: Cidr;
  readonly internal: boolean;
}

/**
 * Records a custom network after checking, in the same write transaction, that its name, bridge
 * and range are free. The caller has already validated the name and the CIDR's syntax.
 */
export function insertNetwork(db: Database, input: NewNetwork): Result<Network> {
  const cidrText = formatCidr(input.cidr);
  return transaction(db, (): Result<Network> => {
    if (findNetwork(db, input.name) !== undefined) {
      return fail(
        'network-exists',
        `failed to create network: a network named '${input.name}' already exists`,
      );
    }
    const other = overlapping(db, input.cidr);
    if (other !== undefined) {
      return fail(
        'cidr-overlap',
        `failed to create network: CIDR ${cidrText} overlaps with existing network '${other.name}' (${other.cidr})`,
        "choose a range that no other network uses; see 'rnx network list'",
      );
    }
    const bridge = bridgeName(input.name);
    const clash = sql(db, 'SELECT name FROM networks WHERE bridge = ?').get(bridge) as
      { name: string } | undefined;
    if (clash !== undefined) {
      return fail(
        'bridge-name-taken',
        `failed to create network: its bridge name ${bridge} is already used by network '${clash.name}'`,
        'choose another name',
      );
    }
    sql(
      db,
      'INSERT INTO networks (name, cidr, base, prefix, bridge, internal, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
    ).run(
      input.name,
      cidrText,
      input.cidr.base,
      input.cidr.prefix,
      bridge,
      input.internal ? 1 : 0,
      new Date().toISOString(),
    );
    return ok(
      fromRow({ name: input.name, cidr: cidrText, bridge, internal: input.internal ? 1 : 0 }),
    );
  });
}

/** Number of leases currently held in a network. */
export function leaseCount(db: Database, name: string): number {
  const row = sql(db, 'SELECT count(*) AS n FROM leases WHERE network = ?').get(name) as {
    n: number;
  };
  return row.n;
}

/**
 * Deletes a custom network's record and allocator state, unless a job holds a lease in it
 * (checked in the same transaction). Returns the number of leases that blocked it (0: deleted).
 */
export function deleteNetworkRecord(db: Database, name: string): number {
  return transaction(db, () => {
    const held = leaseCount(db, name);
    if (held > 0) return held;
    sql(db, 'DELETE FROM free_ranges WHERE network = ?').run(name);
    sql(db, 'DELETE FROM lease_cursors WHERE network = ?').run(name);
    sql(db, 'DELETE FROM networks WHERE name = ?').run(name);
    return 0;
  });
}

/** Human size of a network's address space, e.g. `/24, 253 job addresses`. */
export function describeSize(cidr: string): string {
  const parsed = mustParseCidr(cidr);
  return `/${String(parsed.prefix)}, ${String(sizeOf(parsed) - 3)} job addresses`;
}
