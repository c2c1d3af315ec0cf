/**
 * Waking on the end of a job or a workflow run, without polling. Whatever process owns a job or a
 * run holds an "end" open for as long as it owns it; a waiter opens its side and is woken by the
 * kernel when the last holder closes it: when the owner wrote the final record and exited, or when
 * it was killed (then the waiter finds the record still active and cleans up, see wait-end.ts).
 *
 * - An rnx process (a job in the foreground, a workflow run) listens on an abstract Unix socket
 *   named after the state directory and the job or run id. It never accepts data: a waiter's
 *   connection is closed when the listener closes or its process ends. (Abstract sockets belong
 *   to a network namespace: rnx commands of one state directory share one.)
 * - A detached job's supervisor (a shell, see detach/) cannot listen: it holds the write end of
 *   a FIFO `<state>/ends/ID` instead. A waiter opens the read end without blocking; read(2) says
 *   at once whether a writer exists (EAGAIN) or not (0: ended), and then EPOLLHUP comes when the
 *   last writer closes.
 */
import { closeSync, constants, mkdirSync, openSync, readSync, rmSync, statSync } from 'node:fs';
import { createServer, Socket, type Server } from 'node:net';
import { join } from 'node:path';
import { sha256Hex } from '../../hashes.js';

/**
 * The abstract socket name of a job's or run's end. The state directory is named by its device
 * and inode, which every path to it shares (a symlink, a bind mount, a trailing slash), and which
 * cost one stat where hashing its path cost about a millisecond of a job's start (SHA-256 in
 * JavaScript, run once per process); its path's hash only when it cannot be looked at.
 */
export function endSocketName(stateDir: string, key: string): string {
  const st = statSync(stateDir, { throwIfNoEntry: false });
  const dir =
    st === undefined ? sha256Hex(stateDir, 16) : `${st.dev.toString(16)}-${st.ino.toString(16)}`;
  return `\0rnx-end/${dir}/${key}`;
}

/** Where a detached job's supervisor keeps its end FIFO. */
export function endFifoPath(stateDir: string, key: string): string {
  return join(stateDir, 'ends', key);
}

/** Makes the directory of end FIFOs; returns it. */
export function endFifoDir(stateDir: string): string {
  mkdirSync(join(stateDir, 'ends'), { recursive: true, mode: 0o700 });
  return join(stateDir, 'ends');
}

export function removeEndFifo(stateDir: string, key: string): void {
  rmSync(endFifoPath(stateDir, key), { force: true });
}

export interface HeldEnd {
  /** Wakes every waiter (after the final record is written). */
  close(): void;
}

/** Held by an rnx process for as long as it owns the job or run `key`. */
export function holdEnd(stateDir: string, key: string): HeldEnd {
  const waiters = new Set<Socket>();
  const server: Server = createServer((socket) => {
    waiters.add(socket);
    socket.on('close', () => waiters.delete(socket));
    socket.on('error', () => undefined);
  });
  server.on('error', () => undefined);
  server.listen({ path: endSocketName(stateDir, key) });
  // Never keeps rnx alive by itself.
  server.unref();
  return {
    close() {
      server.close();
      for (const socket of waiters) socket.destroy();
    },
  };
}

/**
 * Resolves when the current holder of `key`'s end lets go: `woke`; or at once with `none` when
 * nobody holds it right now (ended, or between two owners).
 */
export function nextEnd(
  stateDir: string,
  key: string,
  options: { notFifo?: boolean; abort?: AbortSignal } = {},
): Promise<'woke' | 'none'> {
  const fifo =
    options.notFifo === true ? undefined : waitOnFifo(endFifoPath(stateDir, key), options.abort);
  // A FIFO nobody holds (its supervisor is making it, or has ended): an rnx may hold the socket.
  if (fifo !== undefined && fifo !== 'none') return fifo;
  return new Promise((resolve) => {
    const socket = new Socket();
    // Waiting no more: let go, so that nothing keeps this process alive.
    options.abort?.addEventListener('abort', () => socket.destroy(), { once: true });
    let connected = false;
    socket.on('connect', () => (connected = true));
    socket.on('data', () => undefined);
    socket.on('error', () => undefined);
    socket.on('close', () => resolve(connected ? 'woke' : 'none'));
    socket.connect({ path: endSocketName(stateDir, key) });
  });
}

function waitOnFifo(
  path: string,
  abort?: AbortSignal,
): Promise<'woke' | 'none'> | 'none' | undefined {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch {
    return undefined;
  }
  try {
    // 0: no writer left. EAGAIN: a writer holds it; wait for it to let go.
    if (readSync(fd, Buffer.alloc(1)) === 0) {
      closeSync(fd);
      return 'none';
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') {
      closeSync(fd);
      return undefined;
    }
  }
  return new Promise((resolve) => {
    const pipe = new Socket({ fd, readable: true, writable: false });
    abort?.addEventListener('abort', () => pipe.destroy(), { once: true });
    pipe.on('data', () => undefined);
    pipe.on('error', () => undefined);
    pipe.on('close', () => resolve('woke'));
  });
}
