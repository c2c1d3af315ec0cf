/**
 * The few promise-returning file operations rnx's job path uses, on node:fs's callback API (the
 * work still runs on libuv's threads). Importing node:fs/promises instead costs every command that
 * runs a job about 2 ms of start-up: it loads Node's readline and stream modules with it.
 */
import {
  closeSync,
  mkdir as mkdirCallback,
  openSync,
  rm as rmCallback,
  rmdir as rmdirCallback,
  write as writeCallback,
  type MakeDirectoryOptions,
  type RmOptions,
} from 'node:fs';

function settle<T>(resolve: (value: T) => void, reject: (error: Error) => void) {
  return (error: Error | null, value?: T): void => {
    if (error === null) resolve(value as T);
    else reject(error);
  };
}

export function rm(path: string, options: RmOptions): Promise<void> {
  return new Promise((resolve, reject) => rmCallback(path, options, settle(resolve, reject)));
}

export function mkdir(
  path: string,
  options: MakeDirectoryOptions & { recursive?: boolean },
): Promise<string | undefined> {
  return new Promise((resolve, reject) => mkdirCallback(path, options, settle(resolve, reject)));
}

export function rmdir(path: string): Promise<void> {
  return new Promise((resolve, reject) => rmdirCallback(path, settle(resolve, reject)));
}

/**
 * Writes `text` to an existing file as one operation on libuv's threads: opened here (no wait;
 * throws when it cannot be), the write (the part that may wait on the kernel, as a cgroup.procs
 * move does) off rnx's thread, closed when done. Unlike writeFile, it does not come back to rnx's
 * thread between the open and the write.
 */
export function writeInOneGo(path: string, text: string): Promise<void> {
  const fd = openSync(path, 'w');
  return new Promise((resolve, reject) => {
    writeCallback(fd, text, (error) => {
      closeSync(fd);
      if (error === null) resolve();
      else reject(error);
    });
  });
}
