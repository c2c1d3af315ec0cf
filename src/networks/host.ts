/**
 * The host side of a network, idempotent: forwarding on, the network's nft rules, then the bridge
 * with its gateway address (in that order: a bridge that is up proves its rules were applied, see
 * applied-rules.ts; removal goes the other way round). Free when everything is already there: reads
 * of /proc/sys/net/ipv4/ip_forward and /proc/net/route and one row of the state database, no
 * process spawned. After a reboot or in a fresh network namespace, the next job re-creates
 * whatever is missing.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fail, ok, type Result } from '../problem.js';
import type { Database } from '../state/database.js';
import { forgetRules, recordRulesApplied, rulesApplied } from './applied-rules.js';
import { bridgeMac, bridgeReady, deleteBridge, ensureBridge, rnxBridges } from './bridge.js';
import { applyScript, dropTableScript, ensureScript, removalScript } from './nftables.js';
import type { Network } from './types.js';
import { sha256Hex } from '../hashes.js';

const IP_FORWARD = '/proc/sys/net/ipv4/ip_forward';

/**
 * The marker the network's rules carry: a hash of its address, bridge (name and MAC) and rules.
 * A network whose marker is not the one recorded gets its rules and its bridge set up again.
 */
export function hostMarker(network: Network): string {
  const digest = sha256Hex(
    `${network.cidr}\n${network.bridge}\n${bridgeMac(network.bridge)}\n${ensureScript(network)}`,
    16,
  );
  return `rnx:${digest}`;
}

function ensureForwarding(): Result<void> {
  try {
    if (readFileSync(IP_FORWARD, 'utf8').trim() !== '1') writeFileSync(IP_FORWARD, '1');
    return ok(undefined);
  } catch (error) {
    return fail(
      'forwarding-failed',
      `could not enable IPv4 forwarding: ${(error as Error).message}`,
      'rnx needs root (CAP_NET_ADMIN) to set up networks',
    );
  }
}

function forwardingOn(): boolean {
  try {
    return readFileSync(IP_FORWARD, 'utf8').trim() === '1';
  } catch {
    return false;
  }
}

/** Makes sure the network's bridge and rules exist on this host (no-op for `none`). */
export async function ensureNetworkOnHost(network: Network, db: Database): Promise<Result<void>> {
  if (network.mode === 'none') return ok(undefined);
  const bridgeOk = bridgeReady(network);
  const recorded = rulesApplied(db, network.bridge, hostMarker(network));
  if (bridgeOk && recorded && forwardingOn()) return ok(undefined);
  // Rules recorded with another marker were made by another version of rnx: its bridge is
  // brought up to date too (its MAC, bridgeMac).
  return setUpOnHost(network, { withBridge: !bridgeOk || !recorded, db });
}

export interface SetUpOptions {
  /** False when the bridge is known to be ready (only the rules are applied). Default true. */
  readonly withBridge?: boolean;
  /** Where to record the rules applied (applied-rules.ts); absent: not recorded. */
  readonly db?: Database;
}

/**
 * Sets the network up without checking first (a network just created has nothing yet): the
 * rules, then the bridge, so that no rnx ever sees the bridge ready without its rules.
 */
export async function setUpOnHost(
  network: Network,
  options: SetUpOptions = {},
): Promise<Result<void>> {
  const forwarding = ensureForwarding();
  if (!forwarding.ok) return forwarding;
  const marker = hostMarker(network);
  const rules = await applyScript(ensureScript(network, marker));
  if (!rules.ok) return rules;
  if (options.withBridge ?? true) {
    const bridge = await ensureBridge(network);
    if (!bridge.ok) return bridge;
  }
  if (options.db !== undefined) recordRulesApplied(options.db, network.bridge, marker);
  return ok(undefined);
}

/**
 * Removes a network's bridge and rules (the bridge first: see ensureNetworkOnHost); the table
 * `inet rnx` goes too once no rnx bridge is left. Leaves forwarding as it is (other software may
 * rely on it).
 */
export async function removeNetworkFromHost(
  network: Network,
  db?: Database,
): Promise<Result<void>> {
  if (network.mode === 'none') return ok(undefined);
  const bridge = await deleteBridge(network.bridge);
  if (!bridge.ok) return bridge;
  if (db !== undefined) forgetRules(db, network.bridge);
  const rules = await applyScript(removalScript(network.bridge));
  if (!rules.ok) return rules;
  if (rnxBridges().length === 0) return applyScript(dropTableScript());
  return ok(undefined);
}

/** Best effort, for a network whose creation failed half-way: bridge and rules, each regardless. */
export async function undoHost(network: Network): Promise<void> {
  await deleteBridge(network.bridge);
  await applyScript(removalScript(network.bridge));
  if (rnxBridges().length === 0) await applyScript(dropTableScript());
}
