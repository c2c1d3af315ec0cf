/**
 * The few promise-returning file operations rnx's job path uses, on node:fs's callback API (the
 * work still runs on libuv's threads). Importing node:fs/promises instead costs every command that
 * runs a job about 2 ms of start-up: it loads Node's readline and stream modules with it.
 */
import {
  mkdir as mkdirCallback,
  rm as rmCallback,
  rmdir as rmdirCallback,
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
