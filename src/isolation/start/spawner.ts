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
import { remoteStarts } from './remote-starts.js';
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
  const starts = remoteStarts(hold);
  child.on('error', (error: Error) =>
    starts.failAll(`rnx's spawner process failed: ${error.message}`),
  );
  child.on('exit', () => starts.failAll("rnx's spawner process ended"));
  child.on('message', (reply: SpawnerReply) => starts.reply(reply));
  return {
    spawn(request) {
      return starts.start((id) => {
        child.send({ op: 'spawn', id, ...request } satisfies SpawnerRequest);
        return undefined;
      });
    },
  };
}
