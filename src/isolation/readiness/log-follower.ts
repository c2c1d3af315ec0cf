/**
 * Follows a file as it grows (a detached job's log, written by its supervisor): every new chunk to
 * a callback, from the start of the file, woken by the kernel (inotify through fs.watch), never by
 * a timer. For the `log` readiness probe of a detached job.
 */
import { closeSync, openSync, readSync, watch, type FSWatcher } from 'node:fs';

export interface LogFollower {
  close(): void;
}

export function followLog(path: string, onChunk: (chunk: Buffer) => void): LogFollower {
  let fd: number | undefined;
  let offset = 0;
  const buffer = Buffer.alloc(64 * 1024);
  const drain = (): void => {
    try {
      fd ??= openSync(path, 'r');
      for (;;) {
        const n = readSync(fd, buffer, 0, buffer.length, offset);
        if (n === 0) return;
        offset += n;
        onChunk(Buffer.from(buffer.subarray(0, n)));
      }
    } catch {
      // Not there yet, or gone: the next change says more.
    }
  };
  let watcher: FSWatcher | undefined;
  try {
    watcher = watch(path, () => drain());
    watcher.on('error', () => undefined);
  } catch {
    // No such file: nothing to follow.
  }
  drain();
  return {
    close() {
      watcher?.close();
      if (fd !== undefined) closeSync(fd);
      fd = undefined;
    },
  };
}
