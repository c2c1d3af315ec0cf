/**
 * Reading a text file the user names (a workflow file, an env file), apart from read-file.ts so
 * that `rnx job run --env-file` of one job loads none of the validator (the YAML parser, the schema check).
 */
import { closeSync, constants, fstatSync, openSync, readFileSync, type Stats } from 'node:fs';
import type { ReadText } from '../env/env-files.js';

/**
 * Reads a whole text file (workflow and env files); a failure is the reason in words. Only a
 * regular file is read: a FIFO would block until something writes to it, and a device such as
 * /dev/zero never ends. Opened non-blocking, so that checking what it is never waits.
 */
export const readText: ReadText = (path) => {
  let fd: number | undefined;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
    const stats = fstatSync(fd);
    if (!stats.isFile()) return { ok: false, reason: `it is ${kindOf(stats)}, not a regular file` };
    return { ok: true, text: readFileSync(fd, 'utf8') };
  } catch (e) {
    return { ok: false, reason: readFailure(e) };
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
};

function kindOf(stats: Stats): string {
  if (stats.isDirectory()) return 'a directory';
  if (stats.isFIFO()) return 'a FIFO (named pipe)';
  if (stats.isSocket()) return 'a socket';
  if (stats.isCharacterDevice() || stats.isBlockDevice()) return 'a device';
  return 'not a regular file';
}

function readFailure(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  return code === 'ENOENT'
    ? 'no such file'
    : code === 'EISDIR'
      ? 'it is a directory'
      : code === 'EACCES'
        ? 'permission denied'
        : (e as Error).message;
}
