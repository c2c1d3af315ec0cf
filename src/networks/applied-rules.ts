/**
 * What rnx remembers of the rules it applied, so that a job start never has to ask nft (a spawn)
 * whether a network's rules are there. The kernel side is kept in one order: the rules are applied
 * before the bridge is brought up with its address (host.ts), and the bridge is deleted before the
 * rules. So a bridge that is up with its address (read from /proc, no spawn) proves that some rnx
 * applied the network's rules in this network namespace. Which version of them is remembered here,
 * in the state database's `meta` table, with the namespace it was done in (boot id and the inode of
 * /proc/self/ns/net): another version (an upgraded rnx, a re-created network) or another namespace
 * means "apply them again", which is idempotent (the chains are flushed and filled in one nft
 * transaction). Several rnx processes may record at once: each records what it applied.
 *
 * Not seen without asking nft: someone else flushing the whole ruleset (`nft flush ruleset`, a
 * firewall restart) while the bridge stays. Like Docker's rules, rnx's then come back with the
 * bridge (a reboot, `rnx network rm` and create), not on the next start.
 */
import { readFileSync, statSync } from 'node:fs';
import type { Database } from '../state/database.js';
import { sql } from '../state/statements.js';

function key(bridge: string): string {
  return `host-rules:${bridge}`;
}

let here: string | undefined;

/** This network namespace, this boot: where the kernel's rules live. */
function namespaceId(): string {
  if (here !== undefined) return here;
  let boot = '';
  try {
    boot = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  } catch {
    // No boot id: the inode alone.
  }
  here = `${boot}/${String(statSync('/proc/self/ns/net').ino)}`;
  return here;
}

/** The witness of `marker` applied here. */
function witness(marker: string): string {
  return `${marker} ${namespaceId()}`;
}

/** True when this rnx's rules (`marker`) were recorded as applied in this namespace. */
export function rulesApplied(db: Database, bridge: string, marker: string): boolean {
  const row = sql(db, 'SELECT value FROM meta WHERE key = ?').get(key(bridge)) as
    { value: string } | undefined;
  return row?.value === witness(marker);
}

/** Records that the rules `marker` were applied here (best effort: else they are applied again). */
export function recordRulesApplied(db: Database, bridge: string, marker: string): void {
  try {
    sql(db, 'INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)').run(
      key(bridge),
      witness(marker),
    );
  } catch {
    // A state directory that cannot be written: the next start applies them once more.
  }
}

/** Forgets a network's rules (it was removed from the host). */
export function forgetRules(db: Database, bridge: string): void {
  try {
    sql(db, 'DELETE FROM meta WHERE key = ?').run(key(bridge));
  } catch {
    // Harmless: a witness without a ready bridge is never trusted.
  }
}
