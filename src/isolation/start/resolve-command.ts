/**
 * Whether the job's command exists, decided by rnx before the start, from what the job will see:
 * the job's paths are mapped to the host (its root: the host's / or the runtime's tree, /work its
 * workspace, /volumes/NAME its volumes; /tmp and /run start empty) and looked up the way execvp(3)
 * does, through the job's PATH, following symlinks inside the job's root. So "command not found"
 * is known as data before anything runs, never read from a tool's message. Only a certain "no" is
 * reported: anything this cannot see (a /proc path, an unreadable directory) counts as found and
 * is left to exec, whose failure is then the job's exit status 127.
 */
import { accessSync, constants, lstatSync } from 'node:fs';
import { posix } from 'node:path';
import { hostPathInView, type JobView } from '../filesystem/in-root.js';

/** Whether the job can exec `jobPath` (canonical): an executable file, symlinks followed. */
function lookup(view: JobView, jobPath: string): 'yes' | 'no' | 'unknown' {
  const found = hostPathInView(view, jobPath);
  if (typeof found === 'string') return found;
  const stat = lstatSync(found.host, { throwIfNoEntry: false });
  if (stat === undefined || !stat.isFile()) return 'no';
  try {
    accessSync(found.host, constants.X_OK);
    return 'yes';
  } catch {
    return 'no';
  }
}

/** False only when the command certainly cannot be found by execvp in the job. */
export function commandExists(view: JobView, command: string, path: string, cwd: string): boolean {
  if (command === '') return false;
  if (command.includes('/')) {
    return lookup(view, posix.resolve(cwd, command)) !== 'no';
  }
  for (const dir of path.split(':')) {
    const base = dir === '' ? cwd : posix.resolve(cwd, dir);
    if (lookup(view, posix.join(base, command)) !== 'no') return true;
  }
  return false;
}
