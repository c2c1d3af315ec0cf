/**
 * IPv4 CIDR math on unsigned 32-bit integers. Parsing goes through ipaddr.js (strict four-part
 * decimal only, so `10.1` or `010.1.0.0` are refused); everything else is plain arithmetic so that
 * allocation, overlap and containment checks cost the same for a /8 as for a /30.
 */
import ipaddr from 'ipaddr.js';
import { fail, ok, type Result } from '../problem.js';

/** The longest prefix rnx accepts: a /30 still has a gateway and one address for a job. */
export const MAX_PREFIX = 30;

export interface Cidr {
  /** Network address as an unsigned 32-bit integer. */
  readonly base: number;
  readonly prefix: number;
}

export function ipToInt(address: string): number | undefined {
  if (!ipaddr.IPv4.isValidFourPartDecimal(address)) return undefined;
  const [a = 0, b = 0, c = 0, d = 0] = ipaddr.IPv4.parse(address).toByteArray();
  return ((a << 24) | (b << 16) | (c << 8) | d) >>> 0;
}

export function intToIp(value: number): string {
  return [value >>> 24, (value >>> 16) & 255, (value >>> 8) & 255, value & 255].join('.');
}

/** Number of addresses covered by a prefix (2^(32-prefix)). */
export function sizeOf(cidr: Cidr): number {
  return 2 ** (32 - cidr.prefix);
}

/** Last address of the range (the broadcast address). */
export function lastOf(cidr: Cidr): number {
  return cidr.base + sizeOf(cidr) - 1;
}

export function formatCidr(cidr: Cidr): string {
  return `${intToIp(cidr.base)}/${String(cidr.prefix)}`;
}

function maskOf(prefix: number): number {
  return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
}

/**
 * Parses a network written as `A.B.C.D/N` and insists on the network address itself, suggesting it
 * when a host address was given (`10.10.0.5/24` → `10.10.0.0/24`).
 */
export function parseCidr(text: string): Result<Cidr> {
  const match = /^([0-9.]+)\/([0-9]{1,2})$/.exec(text);
  const address = match === null ? undefined : ipToInt(match[1] ?? '');
  const prefix = Number(match?.[2]);
  if (match === null || address === undefined || prefix > 32) {
    return fail(
      'cidr-invalid',
      `'${text}' is not an IPv4 CIDR`,
      'write a network as A.B.C.D/N, e.g. 10.10.0.0/24',
    );
  }
  if (prefix > MAX_PREFIX) {
    return fail(
      'cidr-too-small',
      `CIDR ${text} is too small: the prefix must be /${String(MAX_PREFIX)} or shorter`,
      'a network needs a network address, a gateway, at least one job address and a broadcast address',
    );
  }
  const base = (address & maskOf(prefix)) >>> 0;
  if (base !== address) {
    const suggestion = formatCidr({ base, prefix });
    return fail(
      'cidr-not-network',
      `CIDR ${text} is not a network address`,
      `did you mean ${suggestion}?`,
    );
  }
  return ok({ base, prefix });
}

/**
 * Reads the range a kernel route or address names: `A.B.C.D` (a /32) or `A.B.C.D/N` with any
 * prefix, host bits ignored. Undefined when it is not IPv4.
 */
export function rangeOf(text: string): Cidr | undefined {
  const [address = '', prefixText = '32', ...rest] = text.split('/');
  const value = ipToInt(address);
  const prefix = Number(prefixText);
  if (value === undefined || rest.length > 0 || !/^[0-9]{1,2}$/.test(prefixText) || prefix > 32) {
    return undefined;
  }
  return { base: (value & maskOf(prefix)) >>> 0, prefix };
}

/** Parses a CIDR already known to be valid (built-ins, database rows); throws if it is not. */
export function mustParseCidr(text: string): Cidr {
  const parsed = parseCidr(text);
  if (!parsed.ok) throw new Error(`invalid stored CIDR ${text}: ${parsed.problem.message}`);
  return parsed.value;
}

export function overlaps(a: Cidr, b: Cidr): boolean {
  return a.base <= lastOf(b) && b.base <= lastOf(a);
}

export function containsAddress(cidr: Cidr, address: number): boolean {
  return address >= cidr.base && address <= lastOf(cidr);
}

/** The bridge's own address: the first usable address of the network. */
export function gatewayOf(cidr: Cidr): number {
  return cidr.base + 1;
}

/** The range of addresses that jobs may lease: after the gateway, before the broadcast address. */
export function leasableRange(cidr: Cidr): { first: number; last: number } {
  return { first: cidr.base + 2, last: lastOf(cidr) - 1 };
}
