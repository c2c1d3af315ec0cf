/**
 * The allocator's free space: per network, a set of disjoint ranges [first, last] of leasable
 * addresses, keyed by `last` and uniquely indexed by `first`. Taking an address finds the range at
 * or after the next-fit cursor with one index seek; giving one back merges with its neighbours
 * with two point lookups. Neither ever walks the range, so a /8 costs what a /24 costs.
 * Callers run these inside a write transaction.
 */
import type { Database } from '../state/database.js';
import type { Cidr } from './cidr.js';
import { leasableRange } from './cidr.js';
import { sql } from '../state/statements.js';

interface Range {
  first: number;
  last: number;
}

/** Creates the cursor and the initial free range the first time a network is leased from. */
export function initialiseIfNeeded(db: Database, network: string, cidr: Cidr): void {
  const cursor = sql(db, 'SELECT next FROM lease_cursors WHERE network = ?').get(network);
  if (cursor !== undefined) return;
  const { first, last } = leasableRange(cidr);
  sql(db, 'INSERT INTO lease_cursors (network, next) VALUES (?, ?)').run(network, first);
  if (first <= last) {
    sql(db, 'INSERT INTO free_ranges (network, first, last) VALUES (?, ?, ?)').run(
      network,
      first,
      last,
    );
  }
}

/** Next-fit: the first free address at or after the cursor, wrapping around; undefined if full. */
export function takeAddress(db: Database, network: string): number | undefined {
  const cursorRow = sql(db, 'SELECT next FROM lease_cursors WHERE network = ?').get(network) as
    { next: number } | undefined;
  const cursor = cursorRow?.next ?? 0;
  const range =
    (sql(
      db,
      'SELECT first, last FROM free_ranges WHERE network = ? AND last >= ? ORDER BY last LIMIT 1',
    ).get(network, cursor) as Range | undefined) ??
    (sql(db, 'SELECT first, last FROM free_ranges WHERE network = ? ORDER BY last LIMIT 1').get(
      network,
    ) as Range | undefined);
  if (range === undefined) return undefined;
  // Inside the range the cursor points into, or its first address (a later range, or after a wrap).
  const address = cursor >= range.first && cursor <= range.last ? cursor : range.first;
  removeFromRange(db, network, range, address);
  sql(db, 'UPDATE lease_cursors SET next = ? WHERE network = ?').run(address + 1, network);
  return address;
}

function removeFromRange(db: Database, network: string, range: Range, address: number): void {
  if (range.first === range.last) {
    sql(db, 'DELETE FROM free_ranges WHERE network = ? AND last = ?').run(network, range.last);
  } else if (address === range.first) {
    sql(db, 'UPDATE free_ranges SET first = ? WHERE network = ? AND last = ?').run(
      address + 1,
      network,
      range.last,
    );
  } else if (address === range.last) {
    sql(db, 'UPDATE free_ranges SET last = ? WHERE network = ? AND last = ?').run(
      address - 1,
      network,
      range.last,
    );
  } else {
    sql(db, 'UPDATE free_ranges SET last = ? WHERE network = ? AND last = ?').run(
      address - 1,
      network,
      range.last,
    );
    sql(db, 'INSERT INTO free_ranges (network, first, last) VALUES (?, ?, ?)').run(
      network,
      address + 1,
      range.last,
    );
  }
}

/** Returns one address to the free space, merging it with the ranges on either side. */
export function giveBack(db: Database, network: string, address: number): void {
  const left = sql(db, 'SELECT first, last FROM free_ranges WHERE network = ? AND last = ?').get(
    network,
    address - 1,
  ) as Range | undefined;
  const right = sql(db, 'SELECT first, last FROM free_ranges WHERE network = ? AND first = ?').get(
    network,
    address + 1,
  ) as Range | undefined;
  if (left !== undefined && right !== undefined) {
    sql(db, 'DELETE FROM free_ranges WHERE network = ? AND last = ?').run(network, left.last);
    sql(db, 'UPDATE free_ranges SET first = ? WHERE network = ? AND last = ?').run(
      left.first,
      network,
      right.last,
    );
  } else if (left !== undefined) {
    sql(db, 'UPDATE free_ranges SET last = ? WHERE network = ? AND last = ?').run(
      address,
      network,
      left.last,
    );
  } else if (right !== undefined) {
    sql(db, 'UPDATE free_ranges SET first = ? WHERE network = ? AND last = ?').run(
      address,
      network,
      right.last,
    );
  } else {
    sql(db, 'INSERT INTO free_ranges (network, first, last) VALUES (?, ?, ?)').run(
      network,
      address,
      address,
    );
  }
}
