/**
 * The body of the spawner thread (see spawner.ts): starts jobs' bwrap processes for the main
 * thread and speaks bwrap's protocol fds for it. Node's spawn() blocks its thread until the child
 * has exec'd (a fork of the whole process, then the wait for the child to be scheduled: 2 ms idle,
 * 9 ms under load for a 115 MB rnx); here that blocks this thread, not the one that runs the
 * workflow. Messages in: `spawn` (the go is the job's go FIFO, written by the main thread); out:
 * `spawned`, `info`, `closed` (see spawner.ts).
 */
import { spawn, type StdioOptions } from 'node:child_process';
import type { Socket } from 'node:net';
import { parentPort } from 'node:worker_threads';
import type { SpawnerReply, SpawnerRequest } from './spawner-protocol.js';

const port = parentPort;
const say = (reply: SpawnerReply): void => port?.postMessage(reply);

function readAll(stream: Socket, onText: (text: string) => void): Promise<void> {
  return new Promise((resolve) => {
    let text = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      text += chunk;
      onText(text);
    });
    stream.on('error', () => undefined);
    stream.on('close', () => resolve());
  });
}

function start(request: Extract<SpawnerRequest, { op: 'spawn' }>): void {
  const { id, fds } = request;
  const stdio = [...request.stdio] as StdioOptions;
  let child;
  try {
    child = spawn(request.file, request.args, { stdio, env: request.env, detached: true });
  } catch (error) {
    say({ id, kind: 'closed', code: null, signal: null, error: (error as Error).message });
    return;
  }
  const streams = child.stdio as unknown as readonly (Socket | null)[];
  const info = streams[fds.info] as Socket;
  const status = streams[fds.status] as Socket;
  say({ id, kind: 'spawned', pid: child.pid ?? -1 });
  let told = false;
  void readAll(info, (text) => {
    try {
      const value = (JSON.parse(text) as { 'child-pid'?: unknown })['child-pid'];
      if (!told && typeof value === 'number') say({ id, kind: 'info', childPid: value });
      told = true;
    } catch {
      // Not whole yet.
    }
  });
  // bwrap writes one JSON object per line: {"child-pid": N}, then {"exit-code": N} at the end.
  let exitCode: number | undefined;
  const statusRead = readAll(status, (text) => {
    for (const line of text.split('\n')) {
      try {
        const code = (JSON.parse(line) as { 'exit-code'?: unknown })['exit-code'];
        if (typeof code === 'number') exitCode = code;
      } catch {
        // A partial line.
      }
    }
  });
  child.on('error', (error) => {
    say({ id, kind: 'closed', code: null, signal: null, error: error.message });
  });
  child.on('close', (code, signal) => {
    void statusRead.then(() =>
      say({
        id,
        kind: 'closed',
        code,
        signal,
        ...(exitCode === undefined ? {} : { exitCode }),
      }),
    );
  });
}

port?.on('message', (text: string) => {
  start(JSON.parse(text) as SpawnerRequest);
});
