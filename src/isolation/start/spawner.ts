/**
 * Where a workflow's jobs' bwrap processes are spawned from when bwrap sets jobs up (rnx-sandbox
 * serves its own: sandbox/sandbox-server.ts): a small Node process of rnx's own
 * (spawner-process.ts), started with the first job. Node's spawn() forks the process that calls
 * it: a fork of all of rnx (page tables grow with its memory, 130 MB in a 300-job workflow), then
 * a copy-on-write fault for every page rnx writes while the child has not yet exec'd, and the
 * wait for the child to be scheduled. Measured in a 300-job workflow (perf), that was about 3 ms
 * of CPU per job, a third of rnx's own; from a process of a few MB of its own memory a spawn costs
 * a fraction of it, and rnx's thread keeps scheduling, reading output and ending jobs meanwhile.
 * It starts in a session of its own (a terminal's Ctrl-C reaches rnx, which stops the jobs with
 * their stop signals, not the spawner), under `setpriv --pdeathsig KILL` (the kernel ends it when
 * rnx's thread that started it ends, even by SIGKILL), and never keeps rnx alive by itself;
 * bwrap's `--die-with-parent` follows it. Without setpriv on the host, jobs are spawned from rnx.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { findTool } from '../../host-tools.js';
import type { SpawnerReply, SpawnerRequest } from './spawner-protocol.js';

/** What rnx sees of a bwrap started by the spawner. */
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

/** A spawn's end: what it has not said yet (its pid, its PID 1) is said as none. */
function settle(p: Pending, reply: Extract<SpawnerReply, { kind: 'closed' }>): void {
  p.spawned(undefined);
  p.info(undefined);
  p.closed(reply);
}

/** A spawner process, started now; every job it spawns is followed until bwrap ends. */
export function spawnerProcess(): Spawner | undefined {
  const setpriv = findTool('setpriv');
  if (setpriv === undefined) return undefined;
  const script = fileURLToPath(new URL('./spawner-process.js', import.meta.url));
  let child: ChildProcess;
  try {
    child = spawn(setpriv, ['--pdeathsig', 'KILL', '--', process.execPath, script], {
      stdio: ['ignore', 'ignore', 'ignore', 'ipc'],
      detached: true,
    });
  } catch {
    return undefined;
  }
  const hold = (held: boolean): void => {
    if (held) {
      child.ref();
      child.channel?.ref();
    } else {
      child.unref();
      child.channel?.unref();
    }
  };
  hold(false);
  const pending = new Map<number, Pending>();
  let ids = 0;
  let gone: string | undefined;
  const failAll = (why: string): void => {
    gone ??= why;
    for (const [id, p] of pending) {
      settle(p, { id, kind: 'closed', code: null, signal: null, error: why });
    }
    pending.clear();
  };
  child.on('error', (error: Error) => failAll(`rnx's spawner process failed: ${error.message}`));
  child.on('exit', () => failAll("rnx's spawner process ended"));
  child.on('message', (reply: SpawnerReply) => {
    const p = pending.get(reply.id);
    if (p === undefined) return;
    if (reply.kind === 'spawned') p.spawned(reply.pid);
    else if (reply.kind === 'info') p.info(reply.childPid);
    else {
      pending.delete(reply.id);
      settle(p, reply);
    }
  });
  return {
    spawn(request) {
      const id = ++ids;
      let spawned!: (pid: number | undefined) => void;
      let info!: (pid: number | undefined) => void;
      let closed!: (reply: Extract<SpawnerReply, { kind: 'closed' }>) => void;
      const remote: RemoteChild = {
        pid: new Promise((resolve) => (spawned = resolve)),
        childPid: new Promise((resolve) => (info = resolve)),
        closed: new Promise((resolve) => (closed = resolve)),
      };
      if (gone !== undefined) {
        settle(
          { spawned, info, closed },
          { id, kind: 'closed', code: null, signal: null, error: gone },
        );
        return remote;
      }
      pending.set(id, { spawned, info, closed });
      // While a job runs, its pipes keep rnx alive, not the spawner.
      hold(true);
      void remote.closed.then(() => {
        if (pending.size === 0) hold(false);
      });
      child.send({ op: 'spawn', id, ...request } satisfies SpawnerRequest);
      return remote;
    },
  };
}
