/**
 * Lease owners: a pid alone is ambiguous once the kernel reuses it, so an owner is a pid plus the
 * start time the kernel recorded for it (field 22 of /proc/PID/stat, clock ticks since boot).
 */
import { readFileSync } from 'node:fs';

/** Start time of `pid`, or undefined when no such process exists (or /proc cannot tell). */
export function processStartTime(pid: number): number | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${String(pid)}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // The command name (field 2) may contain spaces and parentheses: count fields after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state), so field 22 is fields[19].
  const start = Number(fields[19]);
  return Number.isFinite(start) ? start : undefined;
}

/** True while the process that took a lease is still the same process. */
export function ownerAlive(pid: number, pidStartTime: number): boolean {
  return processStartTime(pid) === pidStartTime;
}

/** The owner of leases taken by the current process on behalf of `jobId`. */
export function currentProcessOwner(jobId: string): {
  jobId: string;
  pid: number;
  pidStartTime: number;
} {
  const pidStartTime = processStartTime(process.pid);
  if (pidStartTime === undefined) throw new Error('cannot read /proc/self/stat');
  return { jobId, pid: process.pid, pidStartTime };
}
