/**
 * Every command rnx knows, with its one-line summary, loaded lazily so that `rnx --version` and
 * `rnx --help` import nothing else. Add a command by adding its file under commands/ and a row here.
 */
import type { Command } from './context.js';

export interface CommandEntry {
  readonly path: string;
  readonly summary: string;
  readonly load: () => Promise<{ readonly command: Command }>;
  /** Run by rnx itself, not by people: left out of `rnx --help`. */
  readonly internal?: boolean;
}

export const COMMANDS: readonly CommandEntry[] = [
  {
    path: 'job run',
    summary: 'Run a command as an isolated job, or a workflow file',
    load: () => import('./commands/job/run.js'),
  },
  {
    path: 'network create',
    summary: 'Create a network with its own CIDR and bridge',
    load: () => import('./commands/network/create.js'),
  },
  {
    path: 'network list',
    summary: 'List networks (built-ins first)',
    load: () => import('./commands/network/list.js'),
  },
  {
    path: 'network inspect',
    summary: "Show a network's settings and leases",
    load: () => import('./commands/network/inspect.js'),
  },
  {
    path: 'network remove',
    summary: 'Remove a custom network, its bridge and its rules',
    load: () => import('./commands/network/remove.js'),
  },
  {
    path: 'job list',
    summary: 'List jobs, newest first',
    load: () => import('./commands/job/list.js'),
  },
  {
    path: 'job status',
    summary: "Show one job's status, exit code, reason and times",
    load: () => import('./commands/job/status.js'),
  },
  {
    path: 'job log',
    summary: "Print a job's output (--follow to wait for more)",
    load: () => import('./commands/job/log.js'),
  },
  {
    path: 'job stop',
    summary: 'Stop a running job (SIGTERM, grace period, SIGKILL)',
    load: () => import('./commands/job/stop.js'),
  },
  {
    path: 'job metrics',
    summary: "Show a job's CPU, memory, block I/O and processes (--watch)",
    load: () => import('./commands/job/metrics.js'),
  },
  {
    path: 'job wait',
    summary: 'Wait for a job to end; exit with its exit code',
    load: () => import('./commands/job/wait.js'),
  },
  {
    path: 'job finish-detached',
    summary: "Record a detached job's end and release what it held (run by its supervisor)",
    load: () => import('./commands/job/finish-detached.js'),
    internal: true,
  },
  {
    path: 'job timeout-detached',
    summary: 'Stop a detached job whose timeout has passed (run by its timer)',
    load: () => import('./commands/job/timeout-detached.js'),
    internal: true,
  },
  {
    path: 'system check',
    summary: 'Check that this host can run jobs',
    load: () => import('./commands/system/check.js'),
  },
  {
    path: 'system prune',
    summary: 'Remove what killed rnx runs left behind',
    load: () => import('./commands/system/prune.js'),
  },
  {
    path: 'workflow validate',
    summary: 'Check workflow files: schema, requires graph, networks, volumes, runtimes',
    load: () => import('./commands/workflow/validate.js'),
  },
  {
    path: 'workflow graph',
    summary: 'Print the job graph as Mermaid or Graphviz dot',
    load: () => import('./commands/workflow/graph.js'),
  },
  {
    path: 'workflow export',
    summary: 'Export a workflow as Argo Workflows manifests for Kubernetes',
    load: () => import('./commands/workflow/export.js'),
  },
  {
    path: 'volume create',
    summary: 'Create a named volume, mounted read-write at /volumes/NAME',
    load: () => import('./commands/volume/create.js'),
  },
  {
    path: 'volume list',
    summary: 'List volumes and the running jobs that use them',
    load: () => import('./commands/volume/list.js'),
  },
  {
    path: 'volume remove',
    summary: 'Remove a volume and its data (refused while in use)',
    load: () => import('./commands/volume/remove.js'),
  },
  {
    path: 'runtime add',
    summary: 'Register a root filesystem directory as a runtime',
    load: () => import('./commands/runtime/add.js'),
  },
  {
    path: 'runtime list',
    summary: 'List registered runtimes',
    load: () => import('./commands/runtime/list.js'),
  },
  {
    path: 'runtime remove',
    summary: 'Forget a registered runtime',
    load: () => import('./commands/runtime/remove.js'),
  },
  {
    path: 'workflow list',
    summary: 'List workflow runs, newest first',
    load: () => import('./commands/workflow/list.js'),
  },
  {
    path: 'workflow wait',
    summary: "Wait for a workflow run to end; exit with the run's exit code",
    load: () => import('./commands/workflow/wait.js'),
  },
  {
    path: 'workflow stop',
    summary: 'Stop a running workflow run, as Ctrl-C on its rnx would',
    load: () => import('./commands/workflow/stop.js'),
  },
  {
    path: 'workflow logs',
    summary: "Print a workflow run's output with job-name prefixes (--follow)",
    load: () => import('./commands/workflow/logs.js'),
  },
  {
    path: 'workflow status',
    summary: 'Show a workflow run: jobs, statuses, exit codes, dependencies',
    load: () => import('./commands/workflow/status.js'),
  },
  {
    path: 'workflow artifacts',
    summary: "List a run's artifacts, or copy them out",
    load: () => import('./commands/workflow/artifacts.js'),
  },
  {
    path: 'workflow rerun',
    summary: 'Run again the jobs of a run that did not complete, reusing the rest',
    load: () => import('./commands/workflow/rerun.js'),
  },
];
