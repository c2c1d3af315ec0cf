/**
 * A network must not hide anything the host itself uses: its own addresses, its routes (other
 * than the default route) and its DNS servers (a network covering the host's DNS server would cut
 * the host off from name resolution). Interfaces named `rnx*` are rnx's own bridges and veths:
 * those are checked against the network store instead, with a clearer message.
 */
import { readFileSync } from 'node:fs';
import { runToolChecked } from '../exec.js';
import { ok, type Result } from '../problem.js';
import { containsAddress, ipToInt, overlaps, rangeOf, type Cidr } from './cidr.js';

export interface HostAddress {
  readonly address: string;
  readonly device: string;
}

export interface HostRoute {
  /** `A.B.C.D/N` or a single address. */
  readonly destination: string;
  readonly device: string;
}

export interface HostFacts {
  readonly addresses: readonly HostAddress[];
  readonly routes: readonly HostRoute[];
  readonly dnsServers: readonly string[];
}

/** The files that may list the host's DNS servers (systemd-resolved keeps the real ones apart). */
export const RESOLV_CONF_FILES = ['/etc/resolv.conf', '/run/systemd/resolve/resolv.conf'];

function isRnxDevice(device: string): boolean {
  return device.startsWith('rnx');
}

/** Pure: the first thing on the host that `cidr` would overlap, described for an error message. */
export function findHostConflict(cidr: Cidr, facts: HostFacts): string | undefined {
  for (const a of facts.addresses) {
    const address = ipToInt(a.address);
    if (isRnxDevice(a.device) || address === undefined) continue;
    if (containsAddress(cidr, address)) return `host address ${a.address} (on ${a.device})`;
  }
  for (const r of facts.routes) {
    if (isRnxDevice(r.device) || r.destination === 'default') continue;
    const range = rangeOf(r.destination);
    if (range !== undefined && overlaps(cidr, range)) {
      return `host route ${r.destination} (dev ${r.device})`;
    }
  }
  for (const server of facts.dnsServers) {
    const address = ipToInt(server);
    if (address !== undefined && containsAddress(cidr, address)) {
      return `the host's DNS server ${server} (from resolv.conf)`;
    }
  }
  return undefined;
}

/** Pure: the IPv4 `nameserver` lines of a resolv.conf. */
export function parseNameservers(text: string): string[] {
  const servers: string[] = [];
  for (const line of text.split('\n')) {
    const match = /^\s*nameserver\s+(\S+)/.exec(line);
    if (match?.[1] !== undefined && ipToInt(match[1]) !== undefined) servers.push(match[1]);
  }
  return servers;
}

interface IpAddrJson {
  ifname?: string;
  addr_info?: { family?: string; local?: string }[];
}

interface IpRouteJson {
  dst?: string;
  dev?: string;
  table?: string;
}

/** Reads the host's IPv4 addresses, routes (all tables but `local`) and DNS servers. */
export async function readHostFacts(): Promise<Result<HostFacts>> {
  const [addrs, routes] = await Promise.all([
    runToolChecked('ip', ['-j', '-4', 'addr', 'show']),
    runToolChecked('ip', ['-j', '-4', 'route', 'show', 'table', 'all']),
  ]);
  if (!addrs.ok) return addrs;
  if (!routes.ok) return routes;
  const addresses: HostAddress[] = [];
  for (const link of JSON.parse(addrs.value.stdout || '[]') as IpAddrJson[]) {
    for (const info of link.addr_info ?? []) {
      if (info.family === 'inet' && info.local !== undefined) {
        addresses.push({ address: info.local, device: link.ifname ?? '?' });
      }
    }
  }
  const routeList: HostRoute[] = [];
  for (const route of JSON.parse(routes.value.stdout || '[]') as IpRouteJson[]) {
    if (route.table === 'local' || route.dst === undefined) continue;
    routeList.push({ destination: route.dst, device: route.dev ?? '?' });
  }
  const dnsServers = new Set<string>();
  for (const file of RESOLV_CONF_FILES) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const server of parseNameservers(text)) dnsServers.add(server);
  }
  return ok({ addresses, routes: routeList, dnsServers: [...dnsServers] });
}
