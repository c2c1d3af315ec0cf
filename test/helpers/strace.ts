/** strace as a prefix of a command under test: what the kernel saw, one file per process. */
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The argv prefix that traces `calls` (a strace `trace=` list) of every process of a command into
 * `dir/pid.PID` (`-ff`: no line of one process is split by another's `<unfinished ...>`); `dir` is
 * emptied first.
 */
export function straceEach(dir: string, calls: string): string[] {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir);
  return [
    'strace',
    '-ff',
    '-qq',
    '-e',
    `trace=${calls}`,
    '-e',
    'signal=none',
    '-o',
    join(dir, 'pid'),
    '--',
  ];
}
