/**
 * Bridges on the host, changed with one `ip -batch -` and checked without spawning anything.
 * Interface lists come from /proc/net/dev, which shows the caller's own network namespace
 * (/sys/class/net shows the namespace that mounted sysfs, which is not ours inside a sandbox).
 */
import { readFileSync } from 'node:fs';
import { endianness } from 'node:os';
import { runTool, runToolChecked } from '../exec.js';
import { sha256Hex } from '../hashes.js';
import { fail, ok, type Result } from '../problem.js';
import { gatewayOf, intToIp, mustParseCidr } from './cidr.js';
import type { Network } from './types.js';

/** Names of every interface in the current network namespace. */
export function interfaceNames(): string[] {
  const text = readFileSync('/proc/net/dev', 'utf8');
  return text
    .split('\n')
    .slice(2)
    .map((line) => line.split(':')[0]?.trim() ?? '')
    .filter((name) => name !== '');
}

/** rnx's bridges are rnx0, rnx1 and rnx-*; its veth host ends are rnxv*. */
export function isRnxBridgeName(name: string): boolean {
  return /^rnx([0-9]|-)/.test(name);
}

export function bridgeExists(bridge: string): boolean {
  return interfaceNames().includes(bridge);
}

/** Every rnx bridge present on the host. */
export function rnxBridges(): string[] {
  return interfaceNames().filter(isRnxBridgeName);
}

function routeHex(value: number): string {
  const bytes = Buffer.alloc(4);
  if (endianness() === 'LE') bytes.writeUInt32LE(value);
  else bytes.writeUInt32BE(value);
  // /proc/net/route prints the network-order word as a host-order number.
  return bytes.toString('hex').toUpperCase();
}

/**
 * True when the bridge is up with the network's address: exactly then the kernel has the
 * connected route of the subnet on it, which /proc/net/route (this namespace's) lists.
 */
export function bridgeReady(network: Network): boolean {
  const cidr = mustParseCidr(network.cidr);
  const mask = cidr.prefix === 0 ? 0 : (0xffffffff << (32 - cidr.prefix)) >>> 0;
  const destination = routeHex(cidr.base);
  const maskHex = routeHex(mask);
  let text: string;
  try {
    text = readFileSync('/proc/net/route', 'utf8');
  } catch {
    return false;
  }
  return text.split('\n').some((line) => {
    const f = line.split('\t').map((x) => x.trim());
    return f[0] === network.bridge && f[1] === destination && f[7] === maskHex;
  });
}

/**
 * The bridge's own MAC address, and so the gateway's for every job on it: locally administered,
 * unicast, derived from the bridge's name (the same after a reboot or a re-create). A bridge
 * without an address of its own takes the lowest of its ports' and changes it as jobs come and go
 * (00:00:00:00:00:00 with none): a job that had resolved the gateway just before another job's
 * veth left then sent to a MAC nobody had, and could not reach anything off its subnet until its
 * neighbour entry expired (seconds): seen as a flaky job-networks test under load, where the
 * kernel removes an ended job's veth late.
 */
export function bridgeMac(bridge: string): string {
  const hex = `02${sha256Hex(`rnx-bridge:${bridge}`, 10)}`;
  return (hex.match(/../g) ?? []).join(':');
}

/**
 * Creates the bridge if missing, with its own MAC address (bridgeMac), gives it the gateway
 * address and brings it up. Safe when another rnx process does the same at the same moment: a
 * bridge created meanwhile is simply used. A bridge that is there already gets the MAC too (one
 * made by an earlier rnx): the host's neighbour entries on it are then learnt again.
 */
export async function ensureBridge(network: Network): Promise<Result<void>> {
  const cidr = mustParseCidr(network.cidr);
  const gateway = `${intToIp(gatewayOf(cidr))}/${String(cidr.prefix)}`;
  const mac = bridgeMac(network.bridge);
  const configure = [
    `address replace ${gateway} dev ${network.bridge}`,
    `link set dev ${network.bridge} up`,
  ];
  const create = `link add name ${network.bridge} address ${mac} type bridge`;
  const setMac = `link set dev ${network.bridge} address ${mac}`;
  const first = await runToolChecked('ip', ['-batch', '-'], {
    input: [bridgeExists(network.bridge) ? setMac : create, ...configure].join('\n'),
  });
  if (first.ok) return ok(undefined);
  if (!bridgeExists(network.bridge)) return first;
  // Another process created it between our check and our batch: configure what is there.
  const again = await runToolChecked('ip', ['-batch', '-'], {
    input: [setMac, ...configure].join('\n'),
  });
  return again.ok ? ok(undefined) : again;
}

/** Deletes a bridge; a bridge that is already gone is fine. */
export async function deleteBridge(bridge: string): Promise<Result<void>> {
  if (!bridgeExists(bridge)) return ok(undefined);
  const result = await runTool('ip', ['link', 'del', 'dev', bridge]);
  if (!result.ok) return result;
  if (result.value.code === 0 || !bridgeExists(bridge)) return ok(undefined);
  return fail('bridge-failed', `could not delete bridge ${bridge}: ${result.value.stderr.trim()}`);
}
