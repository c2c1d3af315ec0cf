/**
 * The starts a spawner has been asked for and has not yet said the end of: each one's promises
 * (its pid, its PID 1, how it closed), settled by the spawner's replies, and all of them at once
 * when the spawner itself is gone. Shared by the Node spawner process (spawner.ts) and
 * `rnx-sandbox --serve` (sandbox/sandbox-server.ts), which differ only in how a request and its
 * replies travel. While any start is pending the spawner is held (it keeps rnx alive), not after.
 */
import type { RemoteChild } from './spawner.js';
import type { SpawnerReply } from './spawner-protocol.js';

type Closed = Extract<SpawnerReply, { kind: 'closed' }>;

interface Pending {
  spawned(pid: number | undefined): void;
  info(pid: number | undefined): void;
  closed(reply: Closed): void;
}

/** A start's end: what it has not said yet (its pid, its PID 1) is said as none. */
function settle(p: Pending, reply: Closed): void {
  p.spawned(undefined);
  p.info(undefined);
  p.closed(reply);
}

export interface RemoteStarts {
  /**
   * A new start: `send` passes its request on, under the id given; an error it returns instead
   * ends the start at once with that error.
   */
  start(send: (id: number) => string | undefined): RemoteChild;
  /** A reply of the spawner's, for the start it names. */
  reply(reply: SpawnerReply): void;
  /** The spawner is gone: every pending start, and every later one, ends with `why`. */
  failAll(why: string): void;
}

export function remoteStarts(hold: (held: boolean) => void): RemoteStarts {
  const pending = new Map<number, Pending>();
  let ids = 0;
  let gone: string | undefined;
  return {
    start(send) {
      const id = ++ids;
      let spawned!: (pid: number | undefined) => void;
      let info!: (pid: number | undefined) => void;
      let closed!: (reply: Closed) => void;
      const remote: RemoteChild = {
        pid: new Promise((resolve) => (spawned = resolve)),
        childPid: new Promise((resolve) => (info = resolve)),
        closed: new Promise((resolve) => (closed = resolve)),
      };
      const p = { spawned, info, closed };
      const refused = gone ?? send(id);
      if (refused !== undefined) {
        settle(p, { id, kind: 'closed', code: null, signal: null, error: refused });
        return remote;
      }
      pending.set(id, p);
      // While a job runs, its pipes keep rnx alive, not the spawner.
      hold(true);
      void remote.closed.then(() => {
        if (pending.size === 0) hold(false);
      });
      return remote;
    },
    reply(reply) {
      const p = pending.get(reply.id);
      if (p === undefined) return;
      if (reply.kind === 'spawned') p.spawned(reply.pid);
      else if (reply.kind === 'info') p.info(reply.childPid);
      else {
        pending.delete(reply.id);
        settle(p, reply);
      }
    },
    failAll(why) {
      gone ??= why;
      for (const [id, p] of pending) {
        settle(p, { id, kind: 'closed', code: null, signal: null, error: why });
      }
      pending.clear();
    },
  };
}
