/**
 * `rnx job run`: one job (`rnx job run [FLAGS] COMMAND [ARGS...]`) or a whole workflow
 * (`rnx job run --workflow=FILE`). The flag table is shared; the work is in
 * src/cli/job-run-single.ts and src/cli/workflow-run/run.ts.
 */
import type { Command } from '../../context.js';
import { EXIT } from '../../context.js';
import { printProblem } from '../../print.js';
import { flagOption } from '../../args.js';

export const command: Command = {
  path: 'job run',
  usage: 'rnx job run [FLAGS] COMMAND [ARGS...]  |  rnx job run --workflow=FILE [--dry-run]',
  needs: (args) =>
    flagOption(args.options, 'dry-run')
      ? undefined
      : { root: 'its jobs run in namespaces and cgroups that only root can make' },
  summary:
    'Run one command as an isolated job, or every job of a workflow file in dependency order',
  details: `Examples:
  rnx job run --network=app --max-memory=512M -- python3 -m http.server 8000
  rnx job run --json hostname -I | jq -r .output
  rnx job run --user=nobody --network=none id
  rnx job run -i --network=none python3
  rnx job run -d --json --network=app --name=backend python3 -m http.server 8000 | jq -r .address
  rnx job run --workflow=workflows/diamond.yaml --dry-run
  rnx job run --workflow=workflows/pipelines.yaml:nightly --dry-run --json
  rnx job run --workflow=workflows/diamond.yaml --concurrency=4
  rnx job run --workflow=workflows/build-deploy.yaml --job=deploy --env-file=.env

Flags come before the command; everything from the command on is passed to it verbatim
('--' is optional).`,
  parseMode: { stopAtPositional: true },
  options: {
    workflow: {
      type: 'string',
      valueName: 'FILE[:NAME]',
      description: 'run the jobs of a workflow file (NAME picks one of its named workflows)',
    },
    'dry-run': {
      type: 'boolean',
      description: 'with --workflow: validate and print the plan only',
    },
    concurrency: {
      type: 'string',
      valueName: 'N',
      description: 'with --workflow: at most N jobs at once (default: number of CPUs)',
    },
    job: {
      type: 'string',
      multiple: true,
      valueName: 'NAME',
      description: 'with --workflow: run only NAME and the jobs it requires (repeatable)',
    },
    'env-file': {
      type: 'string',
      multiple: true,
      valueName: 'FILE',
      description:
        'dotenv file: a job gets its variables; a workflow takes from it the variables it gives without a value',
    },
    network: { type: 'string', valueName: 'NAME', description: 'network to join (default bridge)' },
    name: { type: 'string', valueName: 'NAME', description: "job name (also the job's hostname)" },
    env: {
      type: 'string',
      short: 'e',
      multiple: true,
      valueName: 'K=V',
      description: 'environment variable',
    },
    'secret-env': {
      type: 'string',
      short: 's',
      multiple: true,
      valueName: 'K=V',
      description: 'secret environment variable: never printed, logged or stored in clear',
    },
    'max-memory': { type: 'string', valueName: 'SIZE', description: 'memory limit, e.g. 512M, 2G' },
    'max-cpu': {
      type: 'string',
      valueName: 'PERCENT',
      description: 'CPU quota in percent of one core',
    },
    'max-iobps': {
      type: 'string',
      valueName: 'BYTES',
      description: 'block I/O limit, bytes per second',
    },
    'cpu-cores': {
      type: 'string',
      valueName: 'LIST',
      description: 'CPUs to run on, e.g. 0-1 or 0,2',
    },
    'max-processes': {
      type: 'string',
      valueName: 'N',
      description: 'limit on processes and threads',
    },
    timeout: {
      type: 'string',
      valueName: 'DURATION',
      description: 'stop the job after this long, e.g. 30s, 5m',
    },
    upload: {
      type: 'string',
      multiple: true,
      valueName: 'FILE',
      description: 'copy a file into /work',
    },
    'upload-dir': {
      type: 'string',
      multiple: true,
      valueName: 'DIR',
      description: 'copy a directory into /work',
    },
    volume: {
      type: 'string',
      multiple: true,
      valueName: 'NAME',
      description: 'mount a volume at /volumes/NAME',
    },
    runtime: {
      type: 'string',
      valueName: 'NAME',
      description: 'run on a registered root filesystem',
    },
    user: {
      type: 'string',
      short: 'u',
      valueName: 'USER[:GROUP]',
      description:
        "run the command as NAME, UID, NAME:GROUP or UID:GID, resolved in the job's root (/etc/passwd)",
    },
    interactive: {
      type: 'boolean',
      short: 'i',
      description: "forward rnx's standard input to the job also when it is a terminal",
    },
    'cap-add': {
      type: 'string',
      multiple: true,
      valueName: 'CAP',
      description: "add a Linux capability to Docker's default set (e.g. NET_ADMIN, or ALL)",
    },
    'cap-drop': {
      type: 'string',
      multiple: true,
      valueName: 'CAP',
      description: 'drop a Linux capability (e.g. NET_RAW, or ALL)',
    },
    ready: {
      type: 'string',
      valueName: 'PROBE',
      description:
        "when the job is ready: exec:CMD, tcp:PORT, http:/PATH or log:REGEX (run 'rnx job status' for the time)",
    },
    'ready-interval': {
      type: 'string',
      valueName: 'DURATION',
      description: 'with --ready: time between attempts (default 250ms)',
    },
    'ready-timeout': {
      type: 'string',
      valueName: 'DURATION',
      description:
        'with --ready: stop the job, FAILED not-ready, when not ready by then (default 60s)',
    },
    'stop-signal': {
      type: 'string',
      valueName: 'SIGNAL',
      description: 'signal that asks the job to stop (default SIGTERM), e.g. SIGINT',
    },
    'stop-grace': {
      type: 'string',
      valueName: 'DURATION',
      description: 'time from the stop signal to SIGKILL (default 10s)',
    },
    detach: {
      type: 'boolean',
      short: 'd',
      description:
        'return once the job runs (with --ready: once it is ready), printing its id (--json: id, name, network, address, readyAt); it runs on in the background, --timeout enforced by its supervisor',
    },
    json: {
      type: 'boolean',
      description: 'print one JSON object (single job) or JSON lines (workflow)',
    },
  },
  async run(ctx, args) {
    if (typeof args.options['workflow'] === 'string') {
      if (args.positionals.length > 0) {
        printProblem(ctx, {
          code: 'usage',
          message: '--workflow runs the jobs of a file and takes no command',
          hint: `remove '${args.positionals.join(' ')}' or drop --workflow`,
        });
        return EXIT.usage;
      }
      const single = ['interactive', 'user'].filter((f) => args.options[f] !== undefined);
      if (single.length > 0) {
        printProblem(ctx, {
          code: 'usage',
          message: `--${single.join(' and --')} ${single.length === 1 ? 'applies' : 'apply'} to one command, not to --workflow`,
          hint: "workflow jobs read /dev/null; set a job's user with 'user:' in the file (or under 'defaults:')",
        });
        return EXIT.usage;
      }
      const { runWorkflowFile } = await import('../../workflow-run/run.js');
      return runWorkflowFile(ctx, args);
    }
    const needsWorkflow = ['dry-run', 'concurrency'].filter((f) => args.options[f] !== undefined);
    if (needsWorkflow.length > 0) {
      printProblem(ctx, {
        code: 'usage',
        message: `--${needsWorkflow.join(' and --')} only apply with --workflow`,
        hint: 'rnx job run --workflow=FILE --dry-run, or drop the flag to run one command',
      });
      return EXIT.usage;
    }
    // The kernel's wait before the job's cgroup join (an RCU grace period, 10 to 20 ms here),
    // started as early as a single job is known to run, so that it passes beside the rest of the
    // start: loading the job's code, its checks, its files and bwrap (isolation/cgroups/procs.ts).
    // That write and, when the job has no spare directory (a runtime's job, a first run), the
    // mkdirs of its filesystem are all a single job gives libuv's thread pool: two threads, not
    // Node's four, whose making and joining at exit cost a job run 3 to 6 ms where page faults
    // are dear (README: "third pass"). Not one: where the kernel's wait is 10 to 20 ms, those
    // mkdirs would queue behind the warm-up. A size the caller set is kept.
    process.env['UV_THREADPOOL_SIZE'] ??= '2';
    const { warmCgroupMoves } = await import('../../../isolation/cgroups/procs.js');
    const { stateDir } = await import('../../../state/database.js');
    warmCgroupMoves(stateDir(ctx.env));
    const { runSingleJob } = await import('../../job-run-single.js');
    return runSingleJob(ctx, args);
  },
};
