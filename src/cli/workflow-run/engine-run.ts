/**
 * The run path of `rnx job run --workflow=FILE`: a validated Plan goes to the engine with the real
 * runner, events go to the reporter and the run records. Ctrl-C or SIGTERM stops the
 * workflow gracefully (exit 130); a second one kills the running jobs at once.
 */
import { availableParallelism } from 'node:os';
import type { EngineDeps } from '../../engine/ports.js';
import type { EngineEvent } from '../../engine/events.js';
import type { Problem } from '../../problem.js';
import { stateDir } from '../../state/database.js';
import { stateProblemOf } from '../../state/state-fault.js';
import { newRunId, WorkflowRecorder } from '../../engine/records.js';
import { runWorkflow, type Reuse } from '../../engine/run.js';
import { holdEnd } from '../../isolation/records/end-signal.js';
import type { OutputFlow } from '../../isolation/output/output-flow.js';
import { selfIdentity } from '../../isolation/records/proc-identity.js';
import type { Database } from '../../state/database.js';
import type { Plan } from '../../validate/model.js';
import type { CliContext } from '../context.js';
import { EXIT, EXIT_WHEN_STOPPED, exitCodeFor, stoppedBy } from '../exit-codes.js';
import { printProblem, writeLine } from '../print.js';
import { createReporter } from '../reporters/reporter.js';

export interface WorkflowRunOptions {
  readonly json: boolean;
  /** The raw `--concurrency` value, if given. */
  readonly concurrency?: string;
  /** Where waiters find the run's end (`rnx workflow wait/stop`). */
  readonly stateDir: string;
  /** Default: a new one (a detached run's is chosen by the rnx that started it). */
  readonly runId?: string;
  /** Called once the run is recorded as running. */
  readonly onRunStarted?: () => void;
  /** A rerun: the earlier run's completed jobs that are not run again. */
  readonly reuse?: Reuse;
  /** Told when the reporter's writes fill standard output (the engine deps' flow). */
  readonly outputFlow?: OutputFlow;
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
  // (EPIPE from a pipe, EIO from a terminal that went away with SIGHUP: the same for us.)
  const onOutputError = (): void => {
    outputClosed = true;
    stop.abort('standard output was closed');
  };
  ctx.stdout.on('error', onOutputError);
  const runId = options.runId ?? newRunId();
  // `rnx workflow wait/stop` wake when this process lets go of the run.
  const ownEnd = holdEnd(options.stateDir, runId);
  // The run's records cannot be written (the state directory full, say): stop the workflow, so
  // that its jobs are stopped and release what they hold; the next rnx command finishes the records.
  let stateFault: Problem | undefined;
  const record = (event: EngineEvent): void => {
    try {
      recorder.onEvent(event);
    } catch (error) {
      const problem = stateProblemOf(error, stateDir(ctx.env));
      if (problem === undefined) throw error;
      stateFault ??= problem;
      stop.abort(problem.message);
    }
  };
  try {
    const result = await runWorkflow(plan, deps, {
      runId,
      concurrency,
      ...(options.reuse === undefined ? {} : { reuse: options.reuse }),
      signal: stop.signal,
      killSignal: kill.signal,
      onEvent(event) {
        record(event);
        if (event.event === 'workflow-started') options.onRunStarted?.();
        if (outputClosed) return;
        reporter.onEvent(event);
        options.outputFlow?.wrote(ctx.stdout);
      },
    });
    if (stateFault !== undefined) {
      printProblem(ctx, stateFault);
      return exitCodeFor(stateFault);
    }
    if (!result.ok) {
      printProblem(ctx, result.problem);
      return exitCodeFor(result.problem);
    }
    // The run's record keeps CANCELED and its 130; rnx ends as for any run it stopped.
    const stopped = stoppedBy(signals > 0, outputClosed);
    if (result.value.status === 'CANCELED' && stopped !== undefined) {
      return EXIT_WHEN_STOPPED[stopped];
    }
    return result.value.exitCode;
  } finally {
    ownEnd.close();
    removeHandler();
    if (!outputClosed) reporter.close();
    // Keep swallowing EPIPE for writes still buffered; anything else is a real error.
    ctx.stdout.off('error', onOutputError);
    if (outputClosed) ctx.stdout.on('error', () => undefined);
  }
}
