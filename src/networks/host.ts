/**
 * The host side of a network, idempotent: forwarding on, the bridge with its gateway address, and
 * the network's nft rules. Cheap when everything is already there: reads of
 * /proc/sys/net/ipv4/ip_forward and /proc/net/route, and one `nft list chain`. After a
 * reboot or in a fresh network namespace, the next job re-creates whatever is missing.
 */
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { fail, ok, type Result } from '../problem.js';
import { bridgeReady, deleteBridge, ensureBridge, rnxBridges } from './bridge.js';
import {
  applyScript,
  dropTableScript,
  ensureScript,
  removalScript,
  rulesCarry,
} from './nftables.js';
import type { Network } from './types.js';

const IP_FORWARD = '/proc/sys/net/ipv4/ip_forward';

/** The marker the network's rules carry: a hash of its address, bridge and rules. */
export function hostMarker(network: Network): string {
  const digest = createHash('sha256')
    .update(`${network.cidr}\n${network.bridge}\n${ensureScript(network)}`)
    .digest('hex')
    .slice(0, 16);
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
export async function ensureNetworkOnHost(network: Network): Promise<Result<void>> {
  if (network.mode === 'none') return ok(undefined);
  const marker = hostMarker(network);
  const bridgeOk = bridgeReady(network);
  if (bridgeOk && forwardingOn() && (await rulesCarry(network.bridge, marker))) {
    return ok(undefined);
  }
  return setUpOnHost(network, !bridgeOk);
}

/**
 * Sets the network up without checking first (a network just created has nothing yet). The
 * bridge and the rules go in parallel: rules match interface names, not interfaces.
 */
export async function setUpOnHost(network: Network, withBridge = true): Promise<Result<void>> {
  const forwarding = ensureForwarding();
  if (!forwarding.ok) return forwarding;
  const [bridge, rules] = await Promise.all([
    withBridge ? ensureBridge(network) : Promise.resolve(ok(undefined)),
    applyScript(ensureScript(network, hostMarker(network))),
  ]);
  if (!bridge.ok) return bridge;
  return rules;
}

/**
 * Removes a network's rules and bridge; the table `inet rnx` goes too once no rnx bridge is left.
 * Leaves forwarding as it is (other software may rely on it).
 */
export async function removeNetworkFromHost(network: Network): Promise<Result<void>> {
  if (network.mode === 'none') return ok(undefined);
  const rules = await applyScript(removalScript(network.bridge));
  if (!rules.ok) return rules;
  const bridge = await deleteBridge(network.bridge);
  if (!bridge.ok) return bridge;
  if (rnxBridges().length === 0) return applyScript(dropTableScript());
  return ok(undefined);
}

/** Best effort, for a network whose creation failed half-way: rules and bridge, each regardless. */
export async function undoHost(network: Network): Promise<void> {
  await applyScript(removalScript(network.bridge));
  await deleteBridge(network.bridge);
  if (rnxBridges().length === 0) await applyScript(dropTableScript());
}
