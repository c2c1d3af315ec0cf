/**
 * A process is identified by its pid AND its start time (field 22 of /proc/PID/stat, in clock ticks
 * since boot): pids are reused, the pair is not. Used to tell whether the rnx that owns a job is
 * still alive, and never to signal a stranger that inherited a dead job's pid.
 */
import { readFileSync } from 'node:fs';

export interface ProcessIdentity {
  readonly pid: number;
  readonly startTime: number;
}

/** Field 22 of a /proc/PID/stat line; the command name (field 2) may contain spaces and parens. */
export function parseStartTime(stat: string): number | undefined {
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const value = Number(fields[19]);
  return Number.isFinite(value) ? value : undefined;
}

export function processStartTime(pid: number): number | undefined {
  try {
    return parseStartTime(readFileSync(`/proc/${String(pid)}/stat`, 'utf8'));
  } catch {
    return undefined;
  }
}

let self: ProcessIdentity | undefined;

/** This rnx process; read once (a read of /proc/self/stat costs up to a millisecond or two). */
export function selfIdentity(): ProcessIdentity {
  self ??= { pid: process.pid, startTime: processStartTime(process.pid) ?? 0 };
  return self;
}

export function isAlive(identity: ProcessIdentity): boolean {
  return processStartTime(identity.pid) === identity.startTime;
}

/** Whether `pid` has a handler for `signal` (SigCgt in /proc/PID/status). */
export function catchesSignal(pid: number, signalNumber: number): boolean {
  try {
    const status = readFileSync(`/proc/${String(pid)}/status`, 'utf8');
    const mask = /^SigCgt:\s*([0-9a-f]+)$/m.exec(status)?.[1];
    return mask !== undefined && ((BigInt(`0x${mask}`) >> BigInt(signalNumber - 1)) & 1n) === 1n;
  } catch {
    return false;
  }
}
