/**
 * rnx's firewall: everything lives in the single table `inet rnx` (no other table is ever read or
 * written), generated here as plain nft script text and applied with one atomic `nft -f -`.
 *
 * Base chains (rewritten whole on every apply, so they never accumulate duplicates):
 *   forward      iifname vmap @forward_from   → per-network chain fwd_BRIDGE
 *                iifname "rnx*" drop          (a bridge whose rules are not applied is closed)
 *                oifname "rnx*" ct state established,related accept
 *                oifname "rnx*" drop          (nothing outside starts a connection into a network)
 *   input        iifname vmap @input_from     → in_BRIDGE (internal networks only)
 *   postrouting  iifname vmap @nat_from       → nat_BRIDGE (networks with outside access)
 * Per network, keyed by its bridge name in the verdict maps:
 *   fwd_BR  oifname "BR" accept (drop for `isolated`) · oifname "rnx*" drop (other networks) ·
 *           accept (NAT networks) or drop (internal: cannot leave the subnet)
 *   nat_BR  ip saddr CIDR oifname != "rnx*" masquerade
 *   in_BR   ip daddr != CIDR drop (internal: the host is reachable only at the gateway)
 * With br_netfilter (bridge-nf-call-iptables = 1, the default in a fresh namespace) bridged packets
 * pass the forward hook with the bridge as both iif and oif: that is why same-bridge traffic is
 * accepted (or, for `isolated`, dropped) explicitly.
 *
 * The first rule of fwd_BR carries a comment `rnx:HASH` (hash of the whole script): which version
 * of the rules is there, for whoever lists them (rnx itself remembers it without listing:
 * applied-rules.ts).
 *
 * Removing a network deletes its map elements and chains. nft 1.0.6 has no `destroy`, so each
 * object is first added (a no-op when it exists) and then deleted, in the same transaction.
 */
import { runToolChecked } from '../exec.js';
import { ok, type Result } from '../problem.js';
import type { Network } from './types.js';

export const TABLE = 'inet rnx';
const RNX_INTERFACES = '"rnx*"';

/** The objects every rnx ruleset has: the table, its verdict maps and its base chains. */
export function skeletonScript(): string {
  return [
    `add table ${TABLE}`,
    `add map ${TABLE} forward_from { type ifname : verdict; }`,
    `add map ${TABLE} input_from { type ifname : verdict; }`,
    `add map ${TABLE} nat_from { type ifname : verdict; }`,
    `add chain ${TABLE} forward { type filter hook forward priority filter; policy accept; }`,
    `flush chain ${TABLE} forward`,
    `add rule ${TABLE} forward iifname vmap @forward_from`,
    `add rule ${TABLE} forward iifname ${RNX_INTERFACES} drop`,
    `add rule ${TABLE} forward oifname ${RNX_INTERFACES} ct state established,related accept`,
    `add rule ${TABLE} forward oifname ${RNX_INTERFACES} drop`,
    `add chain ${TABLE} input { type filter hook input priority filter; policy accept; }`,
    `flush chain ${TABLE} input`,
    `add rule ${TABLE} input iifname vmap @input_from`,
    `add chain ${TABLE} postrouting { type nat hook postrouting priority srcnat; policy accept; }`,
    `flush chain ${TABLE} postrouting`,
    `add rule ${TABLE} postrouting iifname vmap @nat_from`,
  ].join('\n');
}

function quoted(name: string): string {
  // Bridge names are derived by rnx ([a-z0-9_-]); refuse anything else rather than quote it.
  if (!/^[a-z0-9_-]{1,15}$/.test(name)) throw new Error(`unsafe interface name ${name}`);
  return `"${name}"`;
}

/**
 * Pure: the nft script that installs (or re-installs) one network's rules. `marker`, when given,
 * becomes the comment of the network's first rule: proof that exactly this version was applied.
 */
export function networkScript(network: Network, marker = ''): string {
  const br = network.bridge;
  const q = quoted(br);
  const comment = marker === '' ? '' : ` comment "${marker}"`;
  const lines = [
    `add chain ${TABLE} fwd_${br}`,
    `flush chain ${TABLE} fwd_${br}`,
    `add rule ${TABLE} fwd_${br} oifname ${q} ${network.mode === 'isolated' ? 'drop' : 'accept'}${comment}`,
    `add rule ${TABLE} fwd_${br} oifname ${RNX_INTERFACES} drop`,
    `add rule ${TABLE} fwd_${br} ${network.internal ? 'drop' : 'accept'}`,
    `add element ${TABLE} forward_from { ${q} : jump fwd_${br} }`,
  ];
  if (network.internal) {
    lines.push(
      `add chain ${TABLE} in_${br}`,
      `flush chain ${TABLE} in_${br}`,
      `add rule ${TABLE} in_${br} ip daddr != ${network.cidr} drop`,
      `add element ${TABLE} input_from { ${q} : jump in_${br} }`,
    );
  } else {
    lines.push(
      `add chain ${TABLE} nat_${br}`,
      `flush chain ${TABLE} nat_${br}`,
      `add rule ${TABLE} nat_${br} ip saddr ${network.cidr} oifname != ${RNX_INTERFACES} masquerade`,
      `add element ${TABLE} nat_from { ${q} : jump nat_${br} }`,
    );
  }
  return lines.join('\n');
}

/** Pure: the nft script that removes one network's rules, whichever of them exist. */
export function removalScript(bridge: string): string {
  const q = quoted(bridge);
  const lines = [skeletonScript()];
  for (const [map, chain] of [
    ['forward_from', `fwd_${bridge}`],
    ['input_from', `in_${bridge}`],
    ['nat_from', `nat_${bridge}`],
  ] as const) {
    lines.push(
      `add chain ${TABLE} ${chain}`,
      `add element ${TABLE} ${map} { ${q} : jump ${chain} }`,
      `delete element ${TABLE} ${map} { ${q} }`,
      `delete chain ${TABLE} ${chain}`,
    );
  }
  return lines.join('\n');
}

/** Pure: the script that deletes the whole table, whether or not it exists. */
export function dropTableScript(): string {
  return `add table ${TABLE}\ndelete table ${TABLE}`;
}

/** Applies a script as one atomic nft transaction. */
export async function applyScript(script: string): Promise<Result<void>> {
  const result = await runToolChecked('nft', ['-f', '-'], { input: `${script}\n` });
  return result.ok ? ok(undefined) : result;
}

/** The full script for one network: skeleton and the network's own rules. */
export function ensureScript(network: Network, marker = ''): string {
  return `${skeletonScript()}\n${networkScript(network, marker)}`;
}
