/**
 * Address ranges a job network cannot use: the kernel will not route them between a bridge and
 * a job's veth (every job would fail with `Nexthop has invalid gateway`), or they mean something
 * else on every host. Refused by `rnx network create` with the reason.
 */
import { fail, ok, type Result } from '../problem.js';
import { formatCidr, mustParseCidr, overlaps, type Cidr } from './cidr.js';

const RESERVED: readonly (readonly [string, string])[] = [
  ['0.0.0.0/8', '"this network" (RFC 1122): not an address a host may have'],
  ['127.0.0.0/8', 'loopback: the kernel keeps it for lo in every namespace'],
  ['169.254.0.0/16', 'link-local (RFC 3927): not routed through a gateway'],
  ['224.0.0.0/4', 'multicast: cannot be given to an interface'],
  [
    '240.0.0.0/4',
    'reserved (RFC 1112), with the broadcast address 255.255.255.255: Linux will not route it',
  ],
];

// Parsed when first needed: a job start that creates no network never parses an address range.
let ranges: readonly { cidr: Cidr; why: string }[] | undefined;

/** The CIDR itself when usable for a job network; else why not. */
export function checkUsable(cidr: Cidr): Result<Cidr> {
  ranges ??= RESERVED.map(([cidr, why]) => ({ cidr: mustParseCidr(cidr), why }));
  for (const range of ranges) {
    if (!overlaps(cidr, range.cidr)) continue;
    return fail(
      'cidr-reserved',
      `failed to create network: CIDR ${formatCidr(cidr)} is in ${formatCidr(range.cidr)}, ${range.why}`,
      'use a private range such as 10.10.0.0/24, 172.16.5.0/24 or 192.168.50.0/24',
    );
  }
  return ok(cidr);
}
