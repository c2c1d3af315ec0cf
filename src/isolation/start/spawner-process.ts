/**
 * The body of the spawner process (see spawner.ts): starts jobs' bwrap processes for rnx and
 * speaks bwrap's protocol fds for it. A fork copies the page tables of the process that forks, and
 * every page that process writes afterwards faults once: forking this small process instead of
 * rnx (100 MB and more, busy) is what it is for. Messages in (IPC): `spawn`; out:
 * `spawned`, `info`, `closed`. It ends when rnx does: the IPC channel's end, and the kernel's
 * parent-death signal that `setpriv --pdeathsig` set for it; the bwraps it started end with it
 * (`--die-with-parent`).
 */
import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import type { Socket } from 'node:net';
import { childPidOf, ended, exitCodeOf } from './bwrap-reports.js';
import type { SpawnerReply, SpawnerRequest } from './spawner-protocol.js';

const say = (reply: SpawnerReply): void => {
  process.send?.(reply);
};

function start(request: SpawnerRequest): void {
  const { id, fds } = request;
  const opened: number[] = [];
  let child;
  try {
    // A FIFO's write end waits for a reader: rnx holds the read end open from before its request
    // until the job has ended, so this does not wait.
    const stdio = request.stdio.map((fd): 'ignore' | 'pipe' | number => {
      if (typeof fd === 'string') return fd;
      const opening = openSync(fd.path, fd.flags);
      opened.push(opening);
      return opening;
    });
    child = spawn(request.file, request.args, {
      stdio,
      env: request.env,
      detached: true,
    });
  } catch (error) {
    say({ id, kind: 'closed', code: null, signal: null, error: (error as Error).message });
    return;
  } finally {
    // bwrap holds its own copies once spawned.
    for (const fd of opened) closeSync(fd);
  }
  const streams = child.stdio as unknown as readonly (Socket | null)[];
  const info = streams[fds.info] as Socket;
  const status = streams[fds.status] as Socket;
  say({ id, kind: 'spawned', pid: child.pid ?? -1 });
  void childPidOf(info).then((childPid) => {
    if (childPid !== undefined) say({ id, kind: 'info', childPid });
  });
  const exit = exitCodeOf(status);
  const statusRead = ended(status);
  child.on('error', (error) => {
    say({ id, kind: 'closed', code: null, signal: null, error: error.message });
  });
  child.on('close', (code, signal) => {
    void statusRead.then(() => {
      const exitCode = exit.code();
      const cgroup = exit.cgroup();
      say({
        id,
        kind: 'closed',
        code,
        signal,
        ...(exitCode === undefined ? {} : { exitCode }),
        ...(cgroup === undefined ? {} : { cgroup }),
      });
    });
  });
}

process.on('message', (request: SpawnerRequest) => start(request));
// rnx is gone (or done): so is this process; the bwraps it started follow (--die-with-parent).
process.on('disconnect', () => process.exit(0));
