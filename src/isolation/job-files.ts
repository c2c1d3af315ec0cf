/**
 * The files rnx prepares for a job in its run directory (`<state>/run/<jobid>/`) and bind-mounts
 * inside the job's mount namespace: its own /etc/hosts (its name and address, and the other jobs
 * the engine lists) and /etc/resolv.conf. The host's files are never changed. The mounts are done
 * by one `mount -a -T FSTAB` call inside the job's init, from the fstab written here.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { HostEntry } from './job-spec.js';

export interface BindMount {
  readonly source: string;
  readonly target: string;
  readonly readOnly?: boolean;
}

export function hostsFile(
  hostname: string,
  address: string | undefined,
  others: readonly HostEntry[],
): string {
  const lines = ['127.0.0.1\tlocalhost', '::1\tlocalhost ip6-localhost ip6-loopback'];
  lines.push(`${address ?? '127.0.1.1'}\t${hostname}`);
  for (const other of others)
    if (other.name !== hostname) lines.push(`${other.address}\t${other.name}`);
  return `${lines.join('\n')}\n`;
}

/**
 * The job's resolv.conf: the host's, minus loopback name servers (a job in its own network
 * namespace cannot reach the host's 127.0.0.53). A job without a network gets none at all.
 */
export function resolvConf(hostResolv: string, hasNetwork: boolean): string {
  const kept = hostResolv
    .split('\n')
    .filter((line) => !/^\s*nameserver\s+(127\.|::1\b)/.test(line))
    .filter((line) => hasNetwork || !/^\s*nameserver\b/.test(line));
  return `# written by rnx for this job\n${kept.join('\n').trim()}\n`;
}

/** fstab escapes spaces, tabs, newlines and backslashes as octal. */
function fstabPath(path: string): string {
  return path.replace(/[ \t\n\\]/g, (c) => `\\${c.charCodeAt(0).toString(8).padStart(3, '0')}`);
}

export function fstab(mounts: readonly BindMount[]): string {
  return mounts
    .map(
      (m) =>
        `${fstabPath(m.source)} ${fstabPath(m.target)} none ${m.readOnly ? 'bind,ro' : 'bind'} 0 0\n`,
    )
    .join('');
}

export function runDirOf(stateDir: string, jobId: string): string {
  return join(stateDir, 'run', jobId);
}

export function logPathOf(stateDir: string, jobId: string): string {
  return join(stateDir, 'logs', `${jobId}.log`);
}

export interface JobFiles {
  readonly dir: string;
  readonly fstab: string;
  readonly hosts: string;
  readonly resolv: string;
}

/** Writes hosts, resolv.conf and the fstab that binds them; returns the fstab's path. */
export function writeJobFiles(
  runDir: string,
  options: { hostname: string; address?: string; hosts: readonly HostEntry[]; hasNetwork: boolean },
): JobFiles {
  mkdirSync(runDir, { recursive: true, mode: 0o700 });
  let hostResolv = '';
  try {
    hostResolv = readFileSync('/etc/resolv.conf', 'utf8');
  } catch {
    // No resolv.conf on the host: the job gets an empty one.
  }
  const hosts = join(runDir, 'hosts');
  const resolv = join(runDir, 'resolv.conf');
  writeFileSync(hosts, hostsFile(options.hostname, options.address, options.hosts));
  writeFileSync(resolv, resolvConf(hostResolv, options.hasNetwork));
  const table = join(runDir, 'fstab');
  writeFileSync(
    table,
    fstab(
      [
        { source: hosts, target: '/etc/hosts' },
        { source: resolv, target: '/etc/resolv.conf' },
      ].filter((m) => existsSync(m.target)),
    ),
  );
  return { dir: runDir, fstab: table, hosts, resolv };
}

export function removeJobFiles(runDir: string): void {
  rmSync(runDir, { recursive: true, force: true });
}
