/**
 * `rnx job run [FLAGS] COMMAND [ARGS...]`: one job in the foreground. Streams the job's output,
 * stops it gracefully on the first Ctrl-C and kills it on the second, and exits with the job's exit
 * code (128 + signal number when it was killed). With --json, stdout carries only one JSON object
 * at the end, with the job's stdout in `output`.
 */
import { toolUsesOfJob } from '../host-tools.js';
import { jobRequirements } from '../isolation/start/host-check.js';
import { runJob } from '../isolation/runner.js';
import { getNetwork } from '../networks/index.js';
import { sharedDatabase, stateDir } from '../state/database.js';
import { shellExitCode } from '../isolation/end/outcome.js';
import type { JobResult, JobSpec } from '../isolation/job-spec.js';
import { OutputFlow } from '../isolation/output/output-flow.js';
import { checkFilesystemNames } from '../isolation/filesystem/job-filesystem.js';
import { checkUploads } from '../isolation/filesystem/uploads.js';
import { jobUserOf } from '../isolation/start/job-user.js';
import { ok, problemKind, type Result } from '../problem.js';
import { flagOption, listOption, type ParsedArgs } from './args.js';
import type { CliContext } from './context.js';
import { envFileValues } from './env-file-flag.js';
import { EXIT, EXIT_WHEN_STOPPED, exitCodeFor, stoppedBy, type StoppedBy } from './exit-codes.js';
import { specFromFlags } from './job-flags.js';
import { keepTerminalModes } from './terminal-modes.js';
import { printJson, printProblem, writeLine } from './print.js';

export async function runSingleJob(ctx: CliContext, args: ParsedArgs): Promise<number> {
  if (listOption(args.options, 'job').length > 0) {
    printProblem(ctx, {
      code: 'usage',
      message: '--job picks jobs of a workflow: it needs --workflow=FILE',
    });
    return EXIT.usage;
  }
  const fileEnv = envFileValues(ctx, args);
  if (!fileEnv.ok) {
    printProblem(ctx, fileEnv.problem);
    return EXIT.usage;
  }
  const flags = specFromFlags(args, ctx.env, fileEnv.value);
  // --upload / --upload-dir: absolute, or relative to the working directory.
  const spec = flags.ok ? resolveUploads(flags.value, ctx.cwd) : flags;
  if (!spec.ok) {
    printProblem(ctx, spec.problem);
    return EXIT.usage;
  }
  // A host that cannot run jobs (not root, no cgroups, a missing tool) gets the fix, exit 3.
  const host = jobRequirements(toolUsesOfJob(spec.value, flagOption(args.options, 'detach')));
  if (!host.ok) {
    printProblem(ctx, host.problem);
    return exitCodeFor(host.problem);
  }
  const db = sharedDatabase(stateDir(ctx.env));
  const network = getNetwork(db, spec.value.network);
  // A network, volume or runtime that does not exist is refused before the job is recorded.
  const names = network.ok ? checkFilesystemNames(db, stateDir(ctx.env), spec.value) : network;
  // So is a user its root does not know (the job's start checks again, in case it changed).
  const user = names.ok ? jobUserOf(db, spec.value) : names;
  if (!user.ok) {
    printProblem(ctx, user.problem);
    return EXIT.usage;
  }
  const json = flagOption(args.options, 'json');
  const interactive = flagOption(args.options, 'interactive');
  if (flagOption(args.options, 'detach')) {
    if (interactive) {
      printProblem(ctx, {
        code: 'usage',
        message: '--interactive does not work with --detach: a detached job reads /dev/null',
        hint: 'run it in the foreground to give it your input',
      });
      return EXIT.usage;
    }
    const { runDetached } = await import('./job-run-detached.js');
    return runDetached(ctx, spec.value, json);
  }
  const stdin = ctx.stdinFd ?? (interactive ? ctx.terminalStdinFd : undefined);
  const output: Buffer[] = [];
  const stop = new AbortController();
  const kill = new AbortController();
  let interrupts = 0;
  const off = ctx.onSignal(() => {
    interrupts++;
    if (interrupts === 1) {
      writeLine(ctx.stderr, `rnx: stopping job ${spec.value.id} (Ctrl-C again to kill it now)`);
      stop.abort();
    } else {
      kill.abort();
    }
  });
  // A reader that went away (`rnx job run yes | head -1`) stops the job, as SIGPIPE would.
  let stdoutGone = false;
  const onStdoutError = (): void => {
    stdoutGone = true;
    stop.abort();
  };
  ctx.stdout.on('error', onStdoutError);
  // The job's output is not read while standard output or error is full (output-flow.ts).
  const outputFlow = new OutputFlow();
  let result: JobResult;
  let readyAt: string | undefined;
  // A terminal handed to the job gets its modes back afterwards (see terminal-modes.ts).
  const restoreTerminal =
    stdin !== undefined && stdin === ctx.terminalStdinFd
      ? await keepTerminalModes(stdin)
      : undefined;
  try {
    result = await runJob(spec.value, {
      onStdout: (chunk) => {
        if (json) output.push(chunk);
        else if (!stdoutGone) {
          ctx.stdout.write(chunk);
          outputFlow.wrote(ctx.stdout);
        }
      },
      onStderr: (chunk) => {
        ctx.stderr.write(chunk);
        outputFlow.wrote(ctx.stderr);
      },
      outputFlow,
      onReady: (info) => {
        readyAt = info.readyAt;
        writeLine(ctx.stderr, `rnx: job ${spec.value.id} ready after ${seconds(info.afterMs)}`);
      },
      onLogStopped: (why) =>
        writeLine(
          ctx.stderr,
          `rnx: job ${spec.value.id}: its log stopped (${why}); the job goes on, its output is still shown here`,
        ),
      // Its standard input, when it is not a terminal, is the job's (a pipe stays a pipe); a
      // terminal only with -i.
      ...(stdin === undefined ? {} : { stdin }),
      signal: stop.signal,
      killSignal: kill.signal,
    });
  } finally {
    off();
    await restoreTerminal?.();
  }
  if (json && !stdoutGone) {
    printJson(ctx, {
      id: result.id,
      name: result.name ?? null,
      status: result.status,
      exitCode: result.exitCode,
      signal: result.signal,
      reason: result.reason,
      network: result.network,
      address: result.address ?? null,
      startedAt: result.startedAt ?? null,
      readyAt: readyAt ?? null,
      endedAt: result.endedAt,
      output: Buffer.concat(output).toString('utf8'),
      ...(result.message === undefined ? {} : { message: result.message }),
    });
  }
  return exitCodeOf(ctx, result, stoppedBy(interrupts > 0, stdoutGone));
}

export function exitCodeOf(
  ctx: CliContext,
  result: JobResult,
  stopped: StoppedBy | undefined,
): number {
  if (result.reason === 'start-failed' || result.reason === 'network-setup') {
    const problem = result.problem ?? {
      code: result.reason,
      message: result.message ?? 'the job could not start',
    };
    printProblem(ctx, { ...problem, message: `job ${result.id}: ${problem.message}` });
    // `command not found` keeps the shell's 127; any other start failure exits as its kind says.
    if (problemKind(problem.code) === 'failed' && result.exitCode === 127) return 127;
    return exitCodeFor(problem);
  }
  if (
    result.reason === 'oom' ||
    result.reason === 'timeout' ||
    result.reason === 'orphaned' ||
    result.reason === 'not-ready'
  ) {
    writeLine(
      ctx.stderr,
      `rnx: job ${result.id} ${result.status}: ${result.message ?? result.reason}`,
    );
  }
  if (result.status === 'STOPPED' && stopped !== undefined) return EXIT_WHEN_STOPPED[stopped];
  return shellExitCode(result.exitCode, result.signal);
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(2)}s`;
}

function resolveUploads(spec: JobSpec, cwd: string): Result<JobSpec> {
  if (spec.uploads === undefined) return ok(spec);
  // The person named these paths: any readable file or directory, absolute or not.
  const checked = checkUploads(cwd, spec.uploads, { confined: false });
  if (!checked.ok) return checked;
  const sources = (kind: 'file' | 'directory'): string[] =>
    checked.value.filter((u) => u.kind === kind).map((u) => u.source);
  return ok({ ...spec, uploads: { files: sources('file'), directories: sources('directory') } });
}
