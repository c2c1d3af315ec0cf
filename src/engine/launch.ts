/**
 * One attempt of one workflow job: builds its spec, calls the injected runner with hooks that turn
 * its start and output into events, enforces the job's timeout (stop, then FAILED reason timeout),
 * and hands the outcome back to the scheduler.
 */
import { TIMEOUT_EXIT_CODE, type EndReason, type JobResult } from '../isolation/job-spec.js';
import type { PlannedJob, Plan } from '../validate/model.js';
import type { EngineEvent, JobSummary } from './events.js';
import { setLongTimeout } from '../long-timeout.js';
import { collectAttempt } from './attempt-files.js';
import { artifactBinds, resolveOutputs } from './job-inputs.js';
import { specFor } from './job-spec-for.js';
import { isFinal } from './phase.js';
import type { AttemptFiles, EngineDeps, RunHooks } from './ports.js';
import type { Outcome, Scheduler, Transition } from './scheduler.js';
import type { Slots } from './slots.js';

export interface JobControl {
  /** Graceful stop (a service no longer needed, a timeout, an interrupt). */
  readonly stop: AbortController;
  /** Immediate kill (a second Ctrl-C). */
  readonly kill: AbortController;
}

export interface LaunchContext {
  readonly plan: Plan;
  readonly jobs: ReadonlyMap<string, PlannedJob>;
  readonly runId: string;
  readonly deps: EngineDeps;
  readonly scheduler: Scheduler;
  /** The workflow's concurrency, taken at each job's turn to run (services run outside it). */
  readonly slots: Slots;
  readonly controllers: Map<string, JobControl>;
  /** Outputs of the jobs that completed (or were reused from an earlier run), by job name. */
  readonly outputs: Map<string, Readonly<Record<string, string>>>;
  /** Host directories of kept artifacts, by job name. */
  readonly kept: Map<string, string>;
  /** Work left to finish before the run ends (removing attempt directories). */
  background(work: Promise<void>): void;
  readonly killSignal?: AbortSignal;
  emit(event: EngineEvent): void;
  apply(transition: Transition): void;
  record(name: string, update: Partial<JobSummary>): void;
}

export async function launchJob(ctx: LaunchContext, name: string): Promise<void> {
  const job = ctx.jobs.get(name);
  if (job === undefined) throw new Error(`unknown job '${name}'`);
  const { scheduler } = ctx;
  const notStarted = (): void => {
    const cause = 'the workflow was interrupted';
    ctx.record(name, { status: 'CANCELED', reason: 'canceled', cause });
    ctx.emit({ event: 'job-canceled', at: new Date().toISOString(), job: name, cause });
    ctx.apply(scheduler.complete(name, { status: 'CANCELED', reason: 'canceled' }));
  };
  if (scheduler.interrupted) return notStarted();
  // Canceled while it waited to be set up: a RUNNING requirement ended meanwhile.
  if (scheduler.phase(name) !== 'dispatched') return;
  const attempt = scheduler.attempt(name);
  // Every attempt is a job of its own: its own id, and its own address, leased by the runner.
  const jobId = ctx.deps.newJobId();
  const control: JobControl = { stop: new AbortController(), kill: new AbortController() };
  const kill = (): void => control.kill.abort('killed');
  if (ctx.killSignal?.aborted === true) kill();
  ctx.killSignal?.addEventListener('abort', kill, { once: true });
  ctx.controllers.set(name, control);
  // The job's turn, asked by the runner once its sandbox is made: a slot of the workflow's
  // concurrency (services take none), then the scheduler's word that it is still wanted (a
  // RUNNING requirement may have ended meanwhile: it is canceled then, and its sandbox undone).
  const capped = !scheduler.isService(name);
  let turn = 'not-asked' as 'not-asked' | 'granted' | 'refused';
  const slot = async (): Promise<boolean> => {
    const waiting = AbortSignal.any([control.stop.signal, control.kill.signal]);
    if (capped && !(await ctx.slots.take(waiting))) {
      turn = 'refused';
      return false;
    }
    if (!scheduler.launch(name)) {
      if (capped) ctx.slots.give();
      turn = 'refused';
      return false;
    }
    turn = 'granted';
    return true;
  };

  let startedAt: number | undefined;
  let timedOut = false;
  let cancelTimer: (() => void) | undefined;
  const hooks: RunHooks = {
    signal: control.stop.signal,
    killSignal: control.kill.signal,
    slot,
    onStarted(info) {
      startedAt = Date.now();
      const address = info.address;
      ctx.record(name, {
        status: 'RUNNING',
        attempts: attempt,
        jobId,
        ...(address === undefined ? {} : { address }),
      });
      ctx.emit({
        event: 'job-started',
        at: new Date(startedAt).toISOString(),
        job: name,
        jobId,
        attempt,
        pid: info.pid,
        network: job.network,
        ...(address === undefined ? {} : { address }),
      });
      if (job.timeoutMs !== undefined) {
        const ms = job.timeoutMs;
        cancelTimer = setLongTimeout(() => {
          timedOut = true;
          const cause = `timed out after ${String(ms / 1000)}s`;
          ctx.emit({ event: 'job-stopping', at: new Date().toISOString(), job: name, cause });
          control.stop.abort(cause);
        }, ms);
      }
      ctx.apply(scheduler.started(name));
    },
    onReady({ afterMs }) {
      ctx.emit({
        event: 'job-ready',
        at: new Date().toISOString(),
        job: name,
        jobId,
        afterMs,
      });
      ctx.apply(scheduler.probed(name));
    },
    onLines(stream, data) {
      ctx.emit({
        event: 'job-output',
        at: new Date().toISOString(),
        job: name,
        jobId,
        stream,
        data,
      });
    },
  };

  const failure = (reason: EndReason, message: string): JobResult => ({
    id: jobId,
    status: 'FAILED',
    reason,
    exitCode: null,
    signal: null,
    network: job.network,
    endedAt: new Date().toISOString(),
    message,
  });
  let result: JobResult;
  const inputs = resolveOutputs(job, ctx.outputs);
  let files: AttemptFiles | undefined;
  try {
    files = ctx.deps.files?.prepare(ctx.runId, jobId, (job.artifacts ?? []).length > 0);
    const shared = files && { ...files, binds: artifactBinds(job, ctx.kept) };
    result = !inputs.ok
      ? failure('output-missing', inputs.message)
      : await ctx.deps.runner.run(specFor(inputs.job, jobId, ctx.runId, shared), hooks);
  } catch (error) {
    // The runner broke its promise not to reject: report it as a start failure, keep going.
    result = failure('start-failed', error instanceof Error ? error.message : String(error));
  } finally {
    cancelTimer?.();
    ctx.controllers.delete(name);
    ctx.killSignal?.removeEventListener('abort', kill);
    if (turn === 'granted' && capped) ctx.slots.give();
  }
  // Its command never ran and the workflow no longer wants it: canceled by the scheduler (which
  // said so), or stopped with the workflow while it waited for its turn.
  if (turn === 'refused' || (turn === 'not-asked' && isFinal(scheduler.phase(name)))) {
    if (files !== undefined && ctx.deps.files !== undefined) {
      ctx.background(ctx.deps.files.discard(ctx.runId, jobId));
    }
    if (!isFinal(scheduler.phase(name))) notStarted();
    return;
  }

  let outputs: Readonly<Record<string, string>> | undefined;
  if (files !== undefined && ctx.deps.files !== undefined) {
    const collected = collectAttempt(ctx.deps.files, ctx.runId, job, files, result);
    result = collected.result;
    outputs = collected.outputs;
    if (outputs !== undefined) ctx.outputs.set(name, outputs);
    if (collected.artifactsDir !== undefined) ctx.kept.set(name, collected.artifactsDir);
    ctx.background(ctx.deps.files.discard(ctx.runId, jobId));
  }
  const outcome = outcomeOf(result, timedOut, startedAt !== undefined);
  const exitCode = outcome.reason === 'timeout' ? TIMEOUT_EXIT_CODE : result.exitCode;
  const durationMs = startedAt === undefined ? null : Date.now() - startedAt;
  const transition = scheduler.complete(name, outcome);
  const phase = scheduler.phase(name);
  const status = isFinal(phase) ? phase : outcome.status;
  ctx.emit({
    event: 'job-finished',
    at: new Date().toISOString(),
    job: name,
    jobId,
    attempt,
    status,
    reason: outcome.reason ?? 'exit',
    exitCode,
    signal: result.signal,
    durationMs,
    ...(result.message === undefined ? {} : { message: result.message }),
    ...(outputs === undefined ? {} : { outputs }),
  });
  ctx.record(name, {
    status: isFinal(phase) ? phase : 'PENDING',
    reason: outcome.reason ?? 'exit',
    exitCode,
    durationMs,
    attempts: attempt,
    jobId,
    ...(outputs === undefined ? {} : { outputs }),
    ...(result.address === undefined ? {} : { address: result.address }),
    ...(result.cpuUsec === undefined ? {} : { cpuUsec: result.cpuUsec }),
    ...(result.memoryPeakBytes === undefined ? {} : { memoryPeakBytes: result.memoryPeakBytes }),
    ...(phase === 'STOPPED' && outcome.status !== 'STOPPED'
      ? { cause: 'stopped by the workflow' }
      : {}),
  });
  ctx.apply(transition);
}

/** What the scheduler is told, from what the runner says and what the engine itself did. */
function outcomeOf(result: JobResult, timedOut: boolean, started: boolean): Outcome {
  if (timedOut && result.status !== 'COMPLETED') return { status: 'FAILED', reason: 'timeout' };
  switch (result.status) {
    case 'COMPLETED':
      return { status: 'COMPLETED', reason: result.reason };
    case 'FAILED':
      return { status: 'FAILED', reason: result.reason };
    case 'STOPPED':
      return { status: 'STOPPED', reason: result.reason };
    case 'CANCELED':
      return started
        ? { status: 'STOPPED', reason: 'stopped' }
        : { status: 'CANCELED', reason: 'canceled' };
    case 'PENDING':
    case 'RUNNING':
      return { status: 'FAILED', reason: 'start-failed' };
  }
}
