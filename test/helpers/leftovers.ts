/** What a job may leave on the host, looked up for real: processes, cgroups, veths, leases. */
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { openDatabase } from '../../src/state/database.js';
import { vethName } from '../../src/networks/names.js';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Directories named `name` anywhere under /sys/fs/cgroup (job cgroups sit a few levels deep). */
function cgroupDirs(name: string, dir = '/sys/fs/cgroup', depth = 0): string[] {
  if (depth > 8) return [];
  let entries: string[];
  try {
    entries = readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => e.name);
  } catch {
    return [];
  }
  return entries.flatMap((entry) =>
    entry === name ? [join(dir, entry)] : cgroupDirs(name, join(dir, entry), depth + 1),
  );
}

/** Everything still held by any of these jobs; empty when they left nothing behind. */
export function leftovers(
  stateDir: string,
  jobIds: readonly string[],
  pids: readonly number[],
): string[] {
  const found: string[] = [];
  for (const pid of pids) if (alive(pid)) found.push(`process ${String(pid)}`);
  const links = execFileSync('ip', ['-o', 'link', 'show'], { encoding: 'utf8' });
  const db = openDatabase(stateDir);
  try {
    for (const id of jobIds) {
      for (const dir of cgroupDirs(`rnx-${id}`)) found.push(`cgroup ${dir}`);
      if (links.includes(`${vethName(id)}@`) || links.includes(`${vethName(id)}:`)) {
        found.push(`veth ${vethName(id)}`);
      }
      const lease = db.prepare('SELECT address FROM leases WHERE job_id = ?').get(id);
      if (lease !== undefined) found.push(`lease of ${id}`);
    }
  } finally {
    db.close();
  }
  return found;
}

/** Every lease still recorded in a state directory (jobs that never started hold one too). */
export function leasesLeft(stateDir: string): number {
  const db = openDatabase(stateDir);
  try {
    return (db.prepare('SELECT COUNT(*) AS n FROM leases').get() as { n: number }).n;
  } finally {
    db.close();
  }
}
