/**
 * Every command rnx knows, with its one-line summary, loaded lazily so that `rnx --version` and
 * `rnx --help` import nothing else. Add a command by adding its file under commands/ and a row here.
 */
import type { Command } from './context.js';

export interface CommandEntry {
  readonly path: string;
  readonly summary: string;
  readonly load: () => Promise<{ readonly command: Command }>;
}

export const COMMANDS: readonly CommandEntry[] = [
  {
    path: 'job run',
    summary: 'Run a command as an isolated job, or a workflow file',
    load: () => import('./commands/job-run.js'),
  },
  {
    path: 'volume create',
    summary: 'Create a named volume, mounted read-write at /volumes/NAME',
    load: () => import('./commands/volume-create.js'),
  },
  {
    path: 'volume list',
    summary: 'List volumes and the running jobs that use them',
    load: () => import('./commands/volume-list.js'),
  },
  {
    path: 'volume remove',
    summary: 'Remove a volume and its data (refused while in use)',
    load: () => import('./commands/volume-remove.js'),
  },
  {
    path: 'runtime add',
    summary: 'Register a root filesystem directory as a runtime',
    load: () => import('./commands/runtime-add.js'),
  },
  {
    path: 'runtime list',
    summary: 'List registered runtimes',
    load: () => import('./commands/runtime-list.js'),
  },
  {
    path: 'runtime remove',
    summary: 'Forget a registered runtime',
    load: () => import('./commands/runtime-remove.js'),
  },
];
