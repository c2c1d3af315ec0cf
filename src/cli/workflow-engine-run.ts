/**
 * The run path of `rnx job run --workflow=FILE`: a validated Plan goes to the engine with the real
 * runner, events go to the reporter and the run records. Ctrl-C or SIGTERM stops the
 * workflow gracefully (exit 130); a second one kills the running jobs at once.
 */
import { availableParallelism } from 'node:os';
import type { EngineDeps } from '../engine/ports.js';
import { newRunId, WorkflowRecorder } from '../engine/records.js';
import { runWorkflow } from '../engine/run.js';
import { selfIdentity } from '../isolation/records/proc-identity.js';
import type { Database } from '../state/database.js';
import type { Plan } from '../validate/model.js';
import type { CliContext } from './context.js';
import { EXIT, exitCodeFor } from './exit-codes.js';
import { printProblem, writeLine } from './print.js';
import { createReporter } from './reporters/reporter.js';

export interface WorkflowRunOptions {
  readonly json: boolean;
  /** The raw `--concurrency` value, if given. */
  readonly concurrency?: string;
}

/** `--concurrency N`: a positive integer; the number of CPUs when absent. */
export function parseConcurrency(raw: string | undefined): number | undefined {
  if (raw === undefined) return availableParallelism();
  return /^[1-9][0-9]{0,5}$/.test(raw) ? Number(raw) : undefined;
}

export async function runPlanWithEngine(
  ctx: CliContext,
  plan: Plan,
  db: Database,
  deps: EngineDeps,
  options: WorkflowRunOptions,
): Promise<number> {
  const concurrency = parseConcurrency(options.concurrency);
  if (concurrency === undefined) {
    printProblem(ctx, {
      code: 'usage',
      message: `--concurrency takes a positive whole number (got '${options.concurrency ?? ''}')`,
      hint: '--concurrency=4',
    });
    return EXIT.usage;
  }
  const reporter = createReporter(ctx.stdout, { json: options.json, fancy: ctx.fancy });
  const recorder = new WorkflowRecorder(db, selfIdentity());
  const stop = new AbortController();
  const kill = new AbortController();
  let signals = 0;
  const removeHandler = ctx.onSignal((signal) => {
    signals++;
    if (signals === 1) {
      writeLine(ctx.stderr, `rnx: ${signal}: stopping the workflow (again to kill its jobs now)`);
      stop.abort(`interrupted by ${signal}`);
    } else if (!kill.signal.aborted) {
      writeLine(ctx.stderr, `rnx: ${signal} again: killing the running jobs`);
      kill.abort(signal);
    }
  });
  // Output closed under us (`| head`): stop writing, and stop the workflow as Ctrl-C would, so
  // that its jobs are cleaned up instead of rnx dying on EPIPE.
  let outputClosed = false;
  const onOutputError = (error: NodeJS.ErrnoException): void => {
    if (error.code !== 'EPIPE') throw error;
    outputClosed = true;
    stop.abort('standard output was closed');
  };
  ctx.stdout.on('error', onOutputError);
  try {
    const result = await runWorkflow(plan, deps, {
      runId: newRunId(),
      concurrency,
      signal: stop.signal,
      killSignal: kill.signal,
      onEvent(event) {
        recorder.onEvent(event);
        if (!outputClosed) reporter.onEvent(event);
      },
    });
    if (!result.ok) {
      printProblem(ctx, result.problem);
      return exitCodeFor(result.problem);
    }
    return result.value.exitCode;
  } finally {
    removeHandler();
    if (!outputClosed) reporter.close();
    // Keep swallowing EPIPE for writes still buffered; anything else is a real error.
    ctx.stdout.off('error', onOutputError);
    if (outputClosed) ctx.stdout.on('error', () => undefined);
  }
}
