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
    path: 'network create',
    summary: 'Create a network with its own CIDR and bridge',
    load: () => import('./commands/network-create.js'),
  },
  {
    path: 'network list',
    summary: 'List networks (built-ins first)',
    load: () => import('./commands/network-list.js'),
  },
  {
    path: 'network inspect',
    summary: "Show a network's settings and leases",
    load: () => import('./commands/network-inspect.js'),
  },
  {
    path: 'network remove',
    summary: 'Remove a custom network, its bridge and its rules',
    load: () => import('./commands/network-remove.js'),
  },
];
