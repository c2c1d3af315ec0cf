/**
 * A finished job's directories (its run directory, its workspace) are removed off the path that
 * tells the caller the job ended: `rm` runs in libuv's thread pool, so the event loop goes on
 * starting and finishing other jobs meanwhile, and dependents do not wait for the disk. On a
 * loaded ext4 disk removing a job's few files took up to 15 ms of rnx's main thread per job.
 * The rnx process does not exit before the removals are done (a pending fs request keeps Node's
 * event loop alive); `removalsDone()` waits for them where a caller must see them gone. A removal
 * that fails leaves a stray directory, which `rnx system prune` removes like any other.
 */
import { rm } from 'node:fs/promises';

const pending = new Set<Promise<void>>();

export function removeSoon(path: string): void {
  const removal: Promise<void> = rm(path, { recursive: true, force: true })
    .catch(() => undefined)
    .finally(() => pending.delete(removal));
  pending.add(removal);
}

/** Resolves once every removal started so far has finished. */
export async function removalsDone(): Promise<void> {
  await Promise.all([...pending]);
}
