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
    path: 'workflow validate',
    summary: 'Check workflow files: schema, requires graph, networks, volumes, runtimes',
    load: () => import('./commands/workflow-validate.js'),
  },
  {
    path: 'workflow graph',
    summary: 'Print the job graph as Mermaid or Graphviz dot',
    load: () => import('./commands/workflow-graph.js'),
  },
];
