/**
 * Where a job's bwrap is spawned from. Node's spawn() blocks the calling thread until the child
 * has exec'd: a fork of all of rnx (page tables grow with its memory) and the wait for the child to
 * be scheduled, 2 ms per job idle and up to 9 ms under load, measured in a 300-job workflow where
 * it was a third of rnx's own thread's time. A workflow that starts many jobs at once therefore
 * spawns them from a thread of its own (spawner-thread.ts), which also speaks bwrap's protocol fds
 * (info, block, status) and posts what they say; rnx's thread keeps scheduling, reading output
 * and ending jobs meanwhile. The thread starts with the first job (about 20 ms of CPU, once) and
 * never keeps rnx alive by itself; bwrap's `--die-with-parent` follows this thread (the kernel's
 * parent-death signal belongs to the thread that forked), which lives as long as rnx.
 */
import { Worker } from 'node:worker_threads';
import type { SpawnerReply, SpawnerRequest } from './spawner-protocol.js';

/** What the main thread sees of a bwrap started elsewhere. */
export interface RemoteChild {
  /** bwrap's pid, once spawned. */
  readonly pid: Promise<number | undefined>;
  /** The job's PID 1 (bwrap's info fd); undefined if bwrap ended before it said. */
  readonly childPid: Promise<number | undefined>;
  readonly closed: Promise<Extract<SpawnerReply, { kind: 'closed' }>>;
}

export interface Spawner {
  spawn(request: Omit<Extract<SpawnerRequest, { op: 'spawn' }>, 'op' | 'id'>): RemoteChild;
}

interface Pending {
  spawned(pid: number | undefined): void;
  info(pid: number | undefined): void;
  closed(reply: Extract<SpawnerReply, { kind: 'closed' }>): void;
}

/** A spawner thread, started now; every job it spawns is followed until bwrap ends. */
export function spawnerThread(): Spawner {
  const worker = new Worker(new URL('./spawner-thread.js', import.meta.url));
  worker.unref();
  const pending = new Map<number, Pending>();
  let ids = 0;
  const failAll = (why: string): void => {
    for (const [id, p] of pending) {
      p.spawned(undefined);
      p.info(undefined);
      p.closed({ id, kind: 'closed', code: null, signal: null, error: why });
    }
    pending.clear();
  };
  worker.on('error', (error: Error) => failAll(`rnx's spawner thread failed: ${error.message}`));
  worker.on('exit', () => failAll("rnx's spawner thread ended"));
  worker.on('message', (reply: SpawnerReply) => {
    const p = pending.get(reply.id);
    if (p === undefined) return;
    if (reply.kind === 'spawned') p.spawned(reply.pid);
    else if (reply.kind === 'info') p.info(reply.childPid);
    else {
      pending.delete(reply.id);
      p.spawned(undefined);
      p.info(undefined);
      p.closed(reply);
    }
  });
  return {
    spawn(request) {
      const id = ++ids;
      let spawned!: (pid: number | undefined) => void;
      let info!: (pid: number | undefined) => void;
      let closed!: (reply: Extract<SpawnerReply, { kind: 'closed' }>) => void;
      const child: RemoteChild = {
        pid: new Promise((resolve) => (spawned = resolve)),
        childPid: new Promise((resolve) => (info = resolve)),
        closed: new Promise((resolve) => (closed = resolve)),
      };
      pending.set(id, { spawned, info, closed });
      // While a job runs, its pipes keep rnx alive, not the thread.
      worker.ref();
      void child.closed.then(() => {
        if (pending.size === 0) worker.unref();
      });
      // As JSON text: one string is copied to the thread faster than the structured clone of an
      // environment and a hundred arguments.
      worker.postMessage(JSON.stringify({ op: 'spawn', id, ...request } satisfies SpawnerRequest));
      return child;
    },
  };
}
