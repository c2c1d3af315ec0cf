/**
 * The files rnx prepares for a job and bind-mounts inside its mount namespace: its own /etc/hosts
 * (its name and address, and the other jobs the engine lists) in its run directory
 * (`<state>/run/<jobid>/`), and an /etc/resolv.conf shared by all jobs (`<state>/etc/`, one for
 * jobs with a network and one without, bound read-only and rewritten atomically when the host's
 * changes). The host's files are never changed. The run directory also holds the job's output
 * FIFOs (output-pipes.ts). Few files per job: creating and removing them is a good part of a
 * job's own cost, so an ended job's run directory, left as a job start makes it, is kept among
 * the spares (`<state>/spare/run/`, state/spare-pool.ts) for the next job, its FIFOs in it
 * (fifo-pool.ts), rather than removed.
 */
import {
  closeSync,
  existsSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { rm } from '../../async-fs.js';
import { readIfAny } from '../../read-if-any.js';
import { basename, dirname, join } from 'node:path';
import type { HostEntry } from '../job-spec.js';
import { withSharedPart } from './network-names.js';
import { asMade, spareOrRemove, takeSpare } from '../../state/spare-pool.js';
import { isPooledFifo, returnFifos } from '../start/fifo-pool.js';

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
  return `# written by rnx for its jobs\n${kept.join('\n').trim()}\n`;
}

export function runDirOf(stateDir: string, jobId: string): string {
  return join(stateDir, 'run', jobId);
}

export function logPathOf(stateDir: string, jobId: string): string {
  return join(stateDir, 'logs', `${jobId}.log`);
}

export interface JobFiles {
  readonly dir: string;
  readonly hosts: string;
  readonly resolv: string;
}

const written = new Map<string, string>();

/** The shared resolv.conf for jobs with (or without) a network, rewritten when it would change. */
function sharedResolvConf(stateDir: string, hasNetwork: boolean): string {
  let hostResolv = '';
  try {
    hostResolv = readFileSync('/etc/resolv.conf', 'utf8');
  } catch {
    // No resolv.conf on the host: the jobs get an empty one.
  }
  const content = resolvConf(hostResolv, hasNetwork);
  const path = join(stateDir, 'etc', hasNetwork ? 'resolv.conf' : 'resolv.conf.none');
  if (written.get(path) !== content || !existsSync(path)) {
    // Another rnx wrote it already, as it would be written: nothing to do (the usual case).
    if (readIfAny(path) === content) {
      written.set(path, content);
      return path;
    }
    mkdirSync(join(stateDir, 'etc'), { recursive: true, mode: 0o755 });
    // Jobs starting meanwhile bind either the old file or the new one, never a partial one.
    const temp = `${path}.${String(process.pid)}`;
    writeFileSync(temp, content, { mode: 0o644 });
    renameSync(temp, path);
    written.set(path, content);
  }
  return path;
}

function spareRunDirs(stateDir: string): string {
  return join(stateDir, 'spare', 'run');
}

/** The modes a run directory and its hosts file are made with. */
const RUN_DIR_MODE = 0o700;
const HOSTS_MODE = 0o644;

/** Makes the job's run directory, or takes a spare one (which may hold a hosts file). */
function makeRunDir(stateDir: string, runDir: string): void {
  if (!takeSpare(spareRunDirs(stateDir), runDir, 0o755)) mkdirSync(runDir, { mode: RUN_DIR_MODE });
}

/**
 * Puts the FIFOs a spare run directory kept back in their pool (returnFifos moves only FIFOs as
 * the pool gives them): for a job that does not use them (a detached job's supervisor makes its
 * own go FIFO there).
 */
export function returnKeptFifos(stateDir: string, runDir: string): void {
  returnFifos(
    stateDir,
    readdirSync(runDir).map((name) => join(runDir, name)),
  );
}

/**
 * An ended job's run directory (its processes gone, nothing holding its FIFOs open): when nothing
 * else is in it but its hosts file and its FIFOs as their pool gave them, it goes to the spares
 * with them, and the next job to take it uses them where they are (six renames a job fewer);
 * otherwise its FIFOs go back to their pool and the directory is removed.
 */
export async function retireRunDir(
  stateDir: string,
  runDir: string,
  fifos: readonly string[],
): Promise<void> {
  let names: string[];
  try {
    names = readdirSync(runDir);
  } catch {
    return;
  }
  const kept = new Set(
    fifos.filter((path) => dirname(path) === runDir && isPooledFifo(path)).map((p) => basename(p)),
  );
  const spare =
    names.every((name) => name === 'hosts' || kept.has(name)) &&
    asMade(runDir, 'dir', RUN_DIR_MODE) &&
    (!names.includes('hosts') || asMade(join(runDir, 'hosts'), 'file', HOSTS_MODE));
  if (!spare) returnFifos(stateDir, fifos);
  await spareOrRemove(spareRunDirs(stateDir), runDir, spare);
}

/**
 * Writes a file nobody else writes: a spare run directory's is overwritten in place and cut to
 * its new length, not truncated first (freeing its block and taking one again costs more than the
 * write on an ext4 disk), nor made anew.
 */
function rewrite(path: string, text: string, mode: number): void {
  let fd: number;
  try {
    fd = openSync(path, 'r+');
  } catch {
    writeFileSync(path, text, { mode });
    return;
  }
  try {
    const bytes = Buffer.from(text);
    writeSync(fd, bytes, 0, bytes.length, 0);
    ftruncateSync(fd, bytes.length);
  } finally {
    closeSync(fd);
  }
}

/** Writes the job's hosts file; returns where its files are. */
export function writeJobFiles(
  runDir: string,
  options: {
    stateDir: string;
    hostname: string;
    address?: string;
    hosts: readonly HostEntry[];
    hasNetwork: boolean;
    /** The network whose running jobs' names the file gets (see network-names.ts). */
    network?: string;
  },
): JobFiles {
  makeRunDir(options.stateDir, runDir);
  const hosts = join(runDir, 'hosts');
  const own = hostsFile(options.hostname, options.address, options.hosts);
  // Readable by a job that runs as another user, whatever rnx's umask.
  const mode = HOSTS_MODE;
  if (options.network === undefined) rewrite(hosts, own, mode);
  else {
    // Whole or not at all: another rnx may rewrite its shared part at any time (network-names.ts).
    writeFileSync(`${hosts}.new`, withSharedPart(own, options.network), { mode });
    renameSync(`${hosts}.new`, hosts);
  }
  const resolv = sharedResolvConf(options.stateDir, options.hasNetwork);
  return { dir: runDir, hosts, resolv };
}

/** Removes the run directory, off rnx's thread (rm on an ext4 disk can take milliseconds). */
export async function removeJobFiles(runDir: string): Promise<void> {
  await rm(runDir, { recursive: true, force: true });
}
