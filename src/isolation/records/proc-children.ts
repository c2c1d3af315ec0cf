/** A process's direct children, from the kernel's own list (empty once it is gone). */
import { readFileSync } from 'node:fs';

export function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${String(pid)}/task/${String(pid)}/children`, 'utf8')
      .trim()
      .split(' ')
      .map(Number)
      .filter((n) => n > 0);
  } catch {
    return [];
  }
}
