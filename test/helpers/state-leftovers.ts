/**
 * What jobs of one state directory may leave on the host after a killed start, looked up for real:
 * processes naming the state directory (supervisors, bwrap), job cgroups, mounts, run and job
 * filesystem directories, end FIFOs, host veths, leases.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cgroupLayout } from '../../src/isolation/cgroups/layout.js';
import { openDatabase } from '../../src/state/database.js';
import { runCli } from './cli.js';

export function entries(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

export function cmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${String(pid)}/cmdline`, 'utf8');
  } catch {
    return '';
  }
}

/** Alive and not a zombie (a zombie waits for a parent, or an init, that reaps it). */
export function running(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${String(pid)}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

export function mountsUnder(dir: string): string[] {
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((line) => line.split(' ')[4] ?? '')
    .filter((p) => p.startsWith(dir));
}

/**
 * The ids of the state directory's jobs, from its records (read only): not from its logs, since a
 * job's log is made with its first output.
 */
function jobIds(stateDir: string): string[] {
  const file = join(stateDir, 'rnx.db');
  if (!existsSync(file)) return [];
  const { DatabaseSync } = process.getBuiltinModule('node:sqlite');
  const db = new DatabaseSync(file, { readOnly: true, timeout: 5000 });
  try {
    return db
      .prepare('SELECT id FROM jobs')
      .all()
      .map((row) => String(row['id']));
  } finally {
    db.close();
  }
}

/** The cgroups of the state directory's jobs (other rnx runs on the machine have their own). */
export function jobCgroups(stateDir: string): string[] {
  const ids = jobIds(stateDir);
  const layout = cgroupLayout();
  return [...Object.values(layout.v1), layout.unified]
    .filter((d): d is string => d !== undefined)
    .flatMap((d) => ids.map((id) => join(d, `rnx-${id}`)))
    .filter((d) => existsSync(d));
}

/** Live processes (not zombies) whose command line names the state directory. */
export function processesOfState(stateDir: string): number[] {
  return entries('/proc')
    .filter((p) => /^\d+$/.test(p))
    .map(Number)
    .filter((pid) => cmdline(pid).includes(stateDir) && running(pid));
}

/**
 * Host ends of job veths, from /proc/net/dev: this namespace's (a test's own, so only its jobs'
 * are there); /sys/class/net shows the namespace that mounted /sys, the machine's.
 */
export function hostVeths(): string[] {
  return readFileSync('/proc/net/dev', 'utf8')
    .split('\n')
    .slice(2)
    .map((line) => line.split(':')[0]?.trim() ?? '')
    .filter((n) => /^rnxv/.test(n));
}

/** Everything of the state directory still on the host, by kind; all empty when nothing is. */
export function leftOnHost(stateDir: string): Record<string, unknown[]> {
  const db = openDatabase(stateDir);
  try {
    return {
      processes: processesOfState(stateDir),
      cgroups: jobCgroups(stateDir),
      mounts: mountsUnder(stateDir),
      'run directories': entries(join(stateDir, 'run')),
      'job filesystems': entries(join(stateDir, 'fs')),
      'end FIFOs': entries(join(stateDir, 'ends')),
      veths: hostVeths(),
      leases: db.prepare('SELECT job_id FROM leases').all(),
    };
  } finally {
    db.close();
  }
}

export const NOTHING_LEFT: Record<string, unknown[]> = {
  processes: [],
  cgroups: [],
  mounts: [],
  'run directories': [],
  'job filesystems': [],
  'end FIFOs': [],
  veths: [],
  leases: [],
};

/**
 * Stops every job of the state directory that still runs (a detached job outlives the test run's
 * namespace: a test that failed half-way must not leave one behind).
 */
export async function stopEveryJob(stateDir: string): Promise<void> {
  const listed = await runCli(['job', 'list', '--status=RUNNING', '--limit=0', '--json'], {
    stateDir,
  });
  if (listed.code !== 0) return;
  for (const job of JSON.parse(listed.stdout) as { id: string }[]) {
    await runCli(['job', 'stop', job.id, '--grace=100ms'], { stateDir });
  }
}
