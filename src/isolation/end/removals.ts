/**
 * Removals nobody waits for: the cgroup directories, run directory and job filesystem of jobs
 * whose end is already recorded (run-end.ts `removeAfterEnd`; the record says `held` until they
 * are gone, so that the next rnx finishes them if this one is killed). They run after the end is
 * reported, at most two at a time, so that a job's dependents start without waiting for the
 * kernel to remove directories (an rmdir on an ext4 disk can take milliseconds under load), and
 * leave room in Node's thread pool for the starts. A process that ran jobs ends only once they
 * are done (pending file system work keeps Node running); `removalsDone` waits for them.
 */
const AT_ONCE = 2;

const waiting: (() => Promise<void>)[] = [];
let running = 0;
let done: Promise<void> = Promise.resolve();
let settle: (() => void) | undefined;

function next(): void {
  while (running < AT_ONCE && waiting.length > 0) {
    const work = waiting.shift();
    if (work === undefined) break;
    running++;
    void work()
      .catch(() => undefined)
      .finally(() => {
        running--;
        next();
      });
  }
  if (running === 0 && waiting.length === 0 && settle !== undefined) {
    settle();
    settle = undefined;
  }
}

/** Queues `work` (its own errors are its business: a rejection is ignored). */
export function removeLater(work: () => Promise<void>): void {
  if (settle === undefined) done = new Promise((resolve) => (settle = resolve));
  waiting.push(work);
  next();
}

/** Resolves once every queued removal has run. */
export function removalsDone(): Promise<void> {
  return done;
}
