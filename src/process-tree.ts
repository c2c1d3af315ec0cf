/**
 * A process's children and whole tree, from the kernel's own lists: what rnx kills of a host tool
 * or probe it gave up on, and of a job's stray processes.
 */
import { readFileSync } from 'node:fs';

/** A process's direct children, from the kernel's own list (empty once it is gone). */
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

/**
 * SIGKILL to a process and everything below it. The tree is read first (a child whose parent is
 * dead is no longer listed under it), then every process is killed, deepest first.
 */
export function killTree(pid: number | undefined): void {
  if (pid === undefined) return;
  const tree: number[] = [];
  const visit = (p: number): void => {
    for (const child of childrenOf(p)) visit(child);
    tree.push(p);
  };
  visit(pid);
  killAll(tree);
}

/** SIGKILL to each of `pids`, in order (those gone already are skipped). */
export function killAll(pids: readonly number[]): void {
  for (const p of pids) {
    try {
      process.kill(p, 'SIGKILL');
    } catch {
      // Gone already.
    }
  }
}
