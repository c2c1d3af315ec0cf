/**
 * Whether warming the cgroup join (warmCgroupMoves, procs.ts) pays on this boot of this host.
 * The first join after a quiet moment waits for an RCU grace period: 7 to 16 ms on some kernels,
 * where moving rnx into its own cgroup early takes that wait out of the job's start; about 0.8 ms
 * on others (expedited grace periods), where the warm-up's own cost is larger than what it saves
 * (a job run 2.5 ms slower, README: "third pass"). rnx times each warm-up's write and keeps what
 * it saw in `<state>/cgroup-warm`: `BOOT_ID slow`, or `BOOT_ID N` after N fast ones in a row.
 * It stops warming after FAST_IN_A_ROW fast writes on one boot, and never after a slow one; a
 * reboot (another boot id: maybe another kernel) starts over. A write that follows another
 * process's join within a few ms is fast on any kernel: hence several in a row, not one.
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** A warm-up write slower than this (queue, thread and kernel wait together) is slow. */
export const SLOW_WRITE_MS = 2;
/** Fast warm-up writes in a row, on one boot, after which rnx stops warming. */
export const FAST_IN_A_ROW = 3;

/** What the file says for one boot: its writes were slow, or `fast` were fast in a row. */
export type WarmRecord =
  | { readonly boot: string; readonly slow: true }
  | { readonly boot: string; readonly slow: false; readonly fast: number };

export function parseWarmRecord(text: string): WarmRecord | undefined {
  const [boot = '', seen = '', ...rest] = text.trim().split(' ');
  if (boot === '' || rest.length > 0) return undefined;
  if (seen === 'slow') return { boot, slow: true };
  return /^\d{1,6}$/.test(seen) ? { boot, slow: false, fast: Number(seen) } : undefined;
}

export function formatWarmRecord(record: WarmRecord): string {
  return `${record.boot} ${record.slow ? 'slow' : String(record.fast)}\n`;
}

/** This boot saw a slow warm-up write: rnx warms for the rest of it, and times no more. */
export function slowOn(record: WarmRecord | undefined, boot: string): boolean {
  return record?.boot === boot && record.slow;
}

/** Warm unless this boot's record has FAST_IN_A_ROW fast writes. */
export function shouldWarm(record: WarmRecord | undefined, boot: string): boolean {
  return record?.boot !== boot || record.slow || record.fast < FAST_IN_A_ROW;
}

/** The record after a warm-up write of `ms` on `boot`. */
export function afterWrite(record: WarmRecord | undefined, boot: string, ms: number): WarmRecord {
  if (slowOn(record, boot) || ms >= SLOW_WRITE_MS) return { boot, slow: true };
  return { boot, slow: false, fast: record?.boot === boot && !record.slow ? record.fast + 1 : 1 };
}

export function warmRecordFile(stateDir: string): string {
  return join(stateDir, 'cgroup-warm');
}

/** This boot's id (a reboot changes it), or undefined without /proc. */
export function bootId(): string | undefined {
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

export function readWarmRecord(stateDir: string): WarmRecord | undefined {
  try {
    return parseWarmRecord(readFileSync(warmRecordFile(stateDir), 'utf8'));
  } catch {
    return undefined;
  }
}

/** Written whole (a reader sees the old record or the new one); never throws: it only saves time. */
export function writeWarmRecord(stateDir: string, record: WarmRecord): void {
  const file = warmRecordFile(stateDir);
  const temporary = `${file}.${String(process.pid)}`;
  try {
    writeFileSync(temporary, formatWarmRecord(record), { mode: 0o600 });
    renameSync(temporary, file);
  } catch {
    // A state directory that takes nothing: warming goes on, as without a record.
  }
}
