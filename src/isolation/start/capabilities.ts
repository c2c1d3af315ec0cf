/**
 * Linux capabilities a job keeps. By default Docker's set (CHOWN ... AUDIT_WRITE: `CapEff:
 * 00000000a80425fb`), so a job cannot mount, load modules, set the clock, trace other processes or
 * regain anything through a setuid binary. `--cap-add` / `--cap-drop` (and the workflow key
 * `capabilities: {add, drop}`) change it: names as in capabilities(7), with or without `CAP_`, any
 * case, `ALL` for every one. Drops win over adds, like Docker. Pure: unit-tested on literal input.
 */
import { fail, ok, type Result } from '../../problem.js';
import { closest } from '../../suggest.js';

/** Every capability the kernel defines, by number (capability.h, Linux 6.x: 0..40). */
export const ALL_CAPABILITIES = [
  'CHOWN',
  'DAC_OVERRIDE',
  'DAC_READ_SEARCH',
  'FOWNER',
  'FSETID',
  'KILL',
  'SETGID',
  'SETUID',
  'SETPCAP',
  'LINUX_IMMUTABLE',
  'NET_BIND_SERVICE',
  'NET_BROADCAST',
  'NET_ADMIN',
  'NET_RAW',
  'IPC_LOCK',
  'IPC_OWNER',
  'SYS_MODULE',
  'SYS_RAWIO',
  'SYS_CHROOT',
  'SYS_PTRACE',
  'SYS_PACCT',
  'SYS_ADMIN',
  'SYS_BOOT',
  'SYS_NICE',
  'SYS_RESOURCE',
  'SYS_TIME',
  'SYS_TTY_CONFIG',
  'MKNOD',
  'LEASE',
  'AUDIT_WRITE',
  'AUDIT_CONTROL',
  'SETFCAP',
  'MAC_OVERRIDE',
  'MAC_ADMIN',
  'SYSLOG',
  'WAKE_ALARM',
  'BLOCK_SUSPEND',
  'AUDIT_READ',
  'PERFMON',
  'BPF',
  'CHECKPOINT_RESTORE',
] as const;

export type Capability = (typeof ALL_CAPABILITIES)[number];

/** Docker's default set (moby's oci/caps/defaults.go). */
export const DEFAULT_CAPABILITIES: readonly Capability[] = [
  'CHOWN',
  'DAC_OVERRIDE',
  'FSETID',
  'FOWNER',
  'MKNOD',
  'NET_RAW',
  'SETGID',
  'SETUID',
  'SETFCAP',
  'SETPCAP',
  'NET_BIND_SERVICE',
  'SYS_CHROOT',
  'KILL',
  'AUDIT_WRITE',
];

export interface CapabilityChanges {
  readonly add?: readonly string[];
  readonly drop?: readonly string[];
}

const KNOWN = new Set<string>(ALL_CAPABILITIES);

/** `CAP_NET_ADMIN`, `net_admin`, `NET_ADMIN` → `NET_ADMIN`; `all` → `ALL`. */
export function normalizeCapability(name: string): string {
  const upper = name.trim().toUpperCase();
  return upper.startsWith('CAP_') ? upper.slice(4) : upper;
}

/** Checks one name; the problem says which name was meant when it is close to a known one. */
export function checkCapability(name: string): Result<Capability | 'ALL'> {
  const normal = normalizeCapability(name);
  if (normal === 'ALL') return ok('ALL');
  if (KNOWN.has(normal)) return ok(normal as Capability);
  const near = closest(normal, ALL_CAPABILITIES);
  return fail(
    'unknown-capability',
    `unknown capability '${name}'${near === undefined ? '' : `; did you mean '${near}'?`}`,
    'names as in capabilities(7), e.g. NET_ADMIN or CAP_NET_ADMIN, or ALL',
  );
}

/** The set a job keeps, in kernel order. */
export function resolveCapabilities(changes: CapabilityChanges = {}): Result<Capability[]> {
  const kept = new Set<Capability>(DEFAULT_CAPABILITIES);
  const expand = (names: readonly string[]): Result<Capability[]> => {
    const out: Capability[] = [];
    for (const name of names) {
      const checked = checkCapability(name);
      if (!checked.ok) return checked;
      if (checked.value === 'ALL') out.push(...ALL_CAPABILITIES);
      else out.push(checked.value);
    }
    return ok(out);
  };
  const add = expand(changes.add ?? []);
  if (!add.ok) return add;
  const drop = expand(changes.drop ?? []);
  if (!drop.ok) return drop;
  for (const cap of add.value) kept.add(cap);
  for (const cap of drop.value) kept.delete(cap);
  return ok(ALL_CAPABILITIES.filter((cap) => kept.has(cap)));
}

/** The mask /proc/PID/status shows for a set (CapEff: 00000000a80425fb for the default). */
export function capabilityMask(caps: readonly Capability[]): string {
  let mask = 0n;
  for (const cap of caps) mask |= 1n << BigInt(ALL_CAPABILITIES.indexOf(cap));
  return mask.toString(16).padStart(16, '0');
}
