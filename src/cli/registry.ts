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
    path: 'workflow list',
    summary: 'List workflow runs, newest first',
    load: () => import('./commands/workflow-list.js'),
  },
  {
    path: 'workflow status',
    summary: 'Show a workflow run: jobs, statuses, exit codes, dependencies',
    load: () => import('./commands/workflow-status.js'),
  },
];
