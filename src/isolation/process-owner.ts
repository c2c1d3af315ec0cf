/**
 * Who holds a record: a process id plus that process's start time (clock ticks since boot, field
 * 22 of /proc/PID/stat). A pid alone can be reused after a crash; the pair cannot, so a record left
 * by a killed rnx is recognised as stale.
 */
import { readFileSync } from 'node:fs';

export interface ProcessOwner {
  readonly pid: number;
  readonly startTime: number;
}

/** Start time of `pid`, or undefined when no such process exists. */
export function processStartTime(pid: number): number | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${String(pid)}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // The command name (field 2) is in parentheses and may contain spaces: count after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const value = Number(fields[19]);
  return Number.isFinite(value) ? value : undefined;
}

/** The current process as an owner. */
export function selfOwner(): ProcessOwner {
  const startTime = processStartTime(process.pid);
  if (startTime === undefined) throw new Error('cannot read /proc/self/stat');
  return { pid: process.pid, startTime };
}

export function ownerAlive(owner: ProcessOwner): boolean {
  return processStartTime(owner.pid) === owner.startTime;
}
