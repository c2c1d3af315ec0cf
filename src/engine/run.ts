/**
 * Runs a validated Plan: drives the pure scheduler with p-queue. Each job's address is leased by
 * the runner when the job starts and released when it ends; the runner also keeps every running
 * job's name in the /etc/hosts of the other running jobs of its network (names across runs), so
 * the engine hands no host list of its own. Nothing polls: a job is added to the queue the moment
 * the scheduler releases it.
 *
 * Concurrency is what runs: at most `concurrency` jobs' commands at once (slots.ts). The queue
 * lets twice that many jobs be set up or running: while N jobs run, up to N more on `none` wait
 * at the go with their sandboxes made, and one starts the moment a slot frees (a job on a network
 * takes its turn before its address is leased). A 300-job DAG of `true` jobs at concurrency 2
 * went from 3.06x to about 2.7x `make -j2` with it: a slot waited about 9 ms per job, now about 4.
 *
 * Service jobs (required by another job with RUNNING) run outside the cap: they only end when the
 * workflow stops them, so counting them could starve the very jobs that need them.
 *
 * Cancellation: when `signal` aborts, no new job starts, running jobs are stopped gracefully,
 * pending ones become CANCELED; when `killSignal` aborts, running jobs are killed at once. Output
 * goes out only as events.
 */
import PQueue from 'p-queue';
import type { Problem } from '../problem.js';
import type { Plan } from '../validate/model.js';
import type { EngineEvent, JobSummary } from './events.js';
import { definitionOf } from './definition.js';
import { launchJob, type LaunchContext } from './launch.js';
import type { EngineDeps } from './ports.js';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from './retry.js';
import { Scheduler, type Transition } from './scheduler.js';
import { Slots } from './slots.js';
import { WORKFLOW_EXIT_CODES, type WorkflowStatus } from './workflow-status.js';

export interface EngineOptions {
  readonly runId: string;
  /** At most this many jobs at once (services excepted). */
  readonly concurrency: number;
  /** Aborting stops the workflow gracefully. */
  readonly signal?: AbortSignal;
  /** Aborting kills every running job at once. */
  readonly killSignal?: AbortSignal;
  readonly retryPolicy?: RetryPolicy;
  /** A rerun: the jobs of an earlier run that completed and are not run again. */
  readonly reuse?: Reuse;
  onEvent(event: EngineEvent): void;
}

export interface Reuse {
  /** The run re-run. */
  readonly fromRun: string;
  readonly jobs: ReadonlyMap<string, ReusedJob>;
}

export interface ReusedJob {
  readonly outputs: Readonly<Record<string, string>>;
  /** Host directory of its kept artifacts, when it has some. */
  readonly artifactsDir?: string;
}

export interface WorkflowOutcome {
  readonly runId: string;
  readonly status: WorkflowStatus;
  readonly exitCode: number;
  readonly jobs: readonly JobSummary[];
}

export type EngineResult =
  | { readonly ok: true; readonly value: WorkflowOutcome }
  | { readonly ok: false; readonly problem: Problem };

export async function runWorkflow(
  plan: Plan,
  deps: EngineDeps,
  options: EngineOptions,
): Promise<EngineResult> {
  const began = Date.now();
  const reused = options.reuse?.jobs ?? new Map<string, ReusedJob>();
  options.onEvent({
    event: 'workflow-started',
    at: new Date(began).toISOString(),
    runId: options.runId,
    workflow: plan.name,
    file: plan.file,
    ...(plan.path === undefined ? {} : { path: plan.path }),
    ...(plan.workflow === undefined ? {} : { workflowKey: plan.workflow }),
    ...(options.reuse === undefined ? {} : { rerunOf: options.reuse.fromRun }),
    concurrency: options.concurrency,
    jobs: plan.jobs.map((job) => ({
      job: job.name,
      network: job.network,
      requires: job.requires,
      definition: definitionOf(job),
    })),
  });
  for (const [job, from] of reused) {
    options.onEvent({
      event: 'job-reused',
      at: new Date().toISOString(),
      job,
      fromRun: options.reuse?.fromRun ?? '',
      outputs: from.outputs,
    });
  }
  const background: Promise<void>[] = [];
  const jobs = await drive(plan, deps, options, background);
  await Promise.allSettled(background);
  const status = jobs.status;
  const exitCode = WORKFLOW_EXIT_CODES[status];
  options.onEvent({
    event: 'workflow-finished',
    at: new Date().toISOString(),
    runId: options.runId,
    status,
    exitCode,
    durationMs: Date.now() - began,
    jobs: jobs.summaries,
  });
  return { ok: true, value: { runId: options.runId, status, exitCode, jobs: jobs.summaries } };
}

function drive(
  plan: Plan,
  deps: EngineDeps,
  options: EngineOptions,
  background: Promise<void>[],
): Promise<{ status: WorkflowStatus; summaries: JobSummary[] }> {
  const reused = options.reuse?.jobs ?? new Map<string, ReusedJob>();
  const scheduler = new Scheduler(
    plan.jobs.map((job) => ({
      name: job.name,
      requires: job.requires,
      retries: job.retries,
      probe: job.ready !== undefined,
    })),
    options.retryPolicy ?? DEFAULT_RETRY_POLICY,
    new Set(reused.keys()),
  );
  const concurrency = Math.max(1, options.concurrency);
  const slots = new Slots(concurrency);
  const queue = new PQueue({ concurrency: 2 * concurrency });
  const order = new Map(plan.jobs.map((job, i) => [job.name, i]));
  const retryTimers = new Set<NodeJS.Timeout>();
  const summaries = new Map<string, JobSummary>();
  const now = (): string => new Date().toISOString();

  for (const job of plan.jobs) {
    const from = reused.get(job.name);
    summaries.set(job.name, {
      job: job.name,
      ...(from === undefined
        ? {}
        : { outputs: from.outputs, cause: `reused from ${options.reuse?.fromRun ?? ''}` }),
      status: from === undefined ? 'PENDING' : 'COMPLETED',
      exitCode: from === undefined ? null : 0,
      durationMs: null,
      network: job.network,
      attempts: 0,
    });
  }

  return new Promise((resolve) => {
    let settled = false;
    const context: LaunchContext = {
      plan,
      jobs: new Map(plan.jobs.map((job) => [job.name, job])),
      runId: options.runId,
      deps,
      scheduler,
      slots,
      controllers: new Map(),
      outputs: new Map([...reused].map(([name, r]) => [name, r.outputs])),
      kept: new Map(
        [...reused].flatMap(([name, r]) =>
          r.artifactsDir === undefined ? [] : [[name, r.artifactsDir] as const],
        ),
      ),
      background: (work) => background.push(work),
      emit: (event) => options.onEvent(event),
      apply,
      record: (name, update) => {
        const before = summaries.get(name);
        if (before !== undefined) summaries.set(name, { ...before, ...update });
      },
      ...(options.killSignal === undefined ? {} : { killSignal: options.killSignal }),
    };
    const controllers = context.controllers;

    function apply(transition: Transition): void {
      for (const { job, cause } of transition.canceled) {
        context.record(job, { status: 'CANCELED', reason: 'canceled', cause });
        options.onEvent({ event: 'job-canceled', at: now(), job, cause });
        // One being set up for its turn: its sandbox is undone.
        controllers.get(job)?.stop.abort(cause);
      }
      for (const job of transition.stop) {
        const cause = scheduler.interrupted
          ? 'the workflow was interrupted'
          : 'no job left needs it (it was required RUNNING)';
        options.onEvent({ event: 'job-stopping', at: now(), job, cause });
        controllers.get(job)?.stop.abort(cause);
      }
      const retry = transition.retry;
      if (retry !== undefined) {
        options.onEvent({ event: 'job-retrying', at: now(), ...retry });
        const timer = setTimeout(() => {
          retryTimers.delete(timer);
          apply(scheduler.retryDue(retry.job));
        }, retry.delayMs);
        retryTimers.add(timer);
      }
      for (const name of scheduler.next()) {
        const task = (): Promise<void> => launchJob(context, name);
        if (scheduler.isService(name)) void task();
        else void queue.add(task, { priority: -(order.get(name) ?? 0) });
      }
      if (!settled && scheduler.isDone()) {
        settled = true;
        options.signal?.removeEventListener('abort', onAbort);
        for (const timer of retryTimers) clearTimeout(timer);
        resolve({ status: scheduler.status(), summaries: [...summaries.values()] });
      }
    }

    function onAbort(): void {
      const reason: unknown = options.signal?.reason;
      const cause = typeof reason === 'string' ? reason : 'the workflow was interrupted';
      for (const timer of retryTimers) clearTimeout(timer);
      retryTimers.clear();
      // Jobs handed out but not yet started get the stop too; launch sees it before spawning.
      for (const control of controllers.values()) control.stop.abort(cause);
      apply(scheduler.interrupt(cause));
    }

    if (options.signal?.aborted === true) onAbort();
    else options.signal?.addEventListener('abort', onAbort, { once: true });
    apply({ ready: [], canceled: [], stop: [] });
  });
}
