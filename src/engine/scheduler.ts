/**
 * The workflow scheduler: a pure state machine over plain data, in the style of nx's tasks-runner.
 * It never starts anything and never reads a clock; the engine (run.ts) tells it what happened
 * (`started`, `complete`, `retryDue`, `interrupt`) and asks what may start (`next`). Every call
 * returns a Transition saying what changed: jobs newly ready, jobs newly CANCELED (with the cause),
 * service jobs to stop because nothing left needs them, and a retry to schedule.
 *
 * Rules (conditions.ts has the per-edge table):
 * - A job is released (ready) the moment every one of its requirements is met.
 * - A job whose requirements can no longer be met becomes CANCELED; that spreads to its dependents.
 * - A job that FAILED with retries left goes to backoff; its dependents keep waiting. Each attempt is
 *   counted when the job is handed out.
 * - RUNNING is met once the required job runs and is ready: at once for a job without a readiness
 *   probe, at `probed` for one with a probe. A job that ends before that cancels its RUNNING
 *   dependents, also those released but not yet launched (`launch` then says no). One the engine
 *   had begun to start while it still ran goes on: the decision to start it was right then.
 * - A service is a job some other job requires with RUNNING. It keeps running while any job
 *   downstream of it (reaching it through `requires`, whatever the conditions) can still run or is
 *   running; once none is left the workflow stops it (`stop`), and it ends STOPPED, not FAILED. A
 *   service that ends on its own before that ends as what it is (COMPLETED or FAILED).
 * - After `interrupt`, nothing new is released: waiting jobs become CANCELED, running ones are
 *   listed in `stop`.
 */
import type { EndReason } from '../isolation/job-spec.js';
import type { Requirement } from '../validate/model.js';
import { combine, evaluate, evaluateAll, type Verdict } from './conditions.js';
import { isFinal, type Phase } from './phase.js';
import { backoffDelay, DEFAULT_RETRY_POLICY, type RetryPolicy } from './retry.js';
import type {
  Cancellation,
  JobState,
  Outcome,
  SchedulerJob,
  Transition,
} from './scheduler-types.js';
import { workflowStatus, type WorkflowStatus } from './workflow-status.js';

export type {
  Cancellation,
  JobState,
  Outcome,
  Retry,
  SchedulerJob,
  Transition,
} from './scheduler-types.js';

export class Scheduler {
  private readonly jobs = new Map<string, SchedulerJob>();
  private readonly dependents = new Map<string, string[]>();
  private readonly services = new Set<string>();
  /** The jobs downstream of each service that keep it running (see `keepers`). */
  private readonly downstream = new Map<string, readonly string[]>();
  /** Running jobs that are ready for RUNNING dependents (probe passed, or no probe). */
  private readonly up = new Set<string>();
  /** Jobs that were ever up (for causes: "ended before it was ready" or not). */
  private readonly wasUp = new Set<string>();
  /** Dispatched jobs the engine has begun to start (`launch`): too late to just cancel them. */
  private readonly launched = new Set<string>();
  private readonly phases = new Map<string, Phase>();
  /** File order of each job, to hand out ready jobs in a stable order. */
  private readonly index = new Map<string, number>();
  /** Jobs in phase `ready` (kept so that `next()` and `isDone()` need not scan every job). */
  private readonly readySet = new Set<string>();
  private finalCount = 0;
  private readonly attempts = new Map<string, number>();
  private readonly reasons = new Map<string, EndReason>();
  private readonly causes = new Map<string, string>();
  private readonly stopRequested = new Set<string>();
  private interruption: string | undefined;
  private readonly policy: RetryPolicy;

  /** `done`: jobs that already completed (reused from an earlier run); they never run. */
  constructor(
    jobs: readonly SchedulerJob[],
    policy: RetryPolicy = DEFAULT_RETRY_POLICY,
    done: ReadonlySet<string> = new Set(),
  ) {
    this.policy = policy;
    for (const job of jobs) {
      if (this.jobs.has(job.name)) throw new Error(`duplicate job '${job.name}'`);
      this.jobs.set(job.name, job);
      this.dependents.set(job.name, []);
      this.phases.set(job.name, 'waiting');
      this.index.set(job.name, this.index.size);
      this.attempts.set(job.name, 0);
    }
    for (const job of jobs) {
      for (const req of job.requires) {
        for (const target of req.of ?? [req.job]) {
          const list = this.dependents.get(target);
          if (list === undefined) throw new Error(`'${job.name}' requires unknown job '${target}'`);
          list.push(job.name);
          if (req.condition === 'RUNNING') this.services.add(target);
        }
      }
    }
    for (const name of this.services) this.downstream.set(name, this.keepers(name));
    for (const name of done) this.setPhase(name, 'COMPLETED');
    // Jobs without requirements are ready from the start.
    for (const name of this.jobs.keys()) this.reevaluate(name, [], []);
  }

  /** The jobs that may start now and were not handed out yet, in file order. */
  ready(): string[] {
    const order = (name: string): number => this.index.get(name) ?? 0;
    return [...this.readySet].sort((a, b) => order(a) - order(b));
  }

  /** The jobs that may start now, in file order; each is marked dispatched (handed out once). */
  next(): string[] {
    if (this.interruption !== undefined) return [];
    const ready = this.ready();
    for (const name of ready) {
      this.setPhase(name, 'dispatched');
      this.attempts.set(name, this.attempt(name) + 1);
    }
    return ready;
  }

  /**
   * The engine is about to start a dispatched job. False when it must not: it was canceled while
   * waiting for a slot (a RUNNING requirement ended meanwhile).
   */
  launch(name: string): boolean {
    if (this.phase(name) !== 'dispatched') return false;
    this.launched.add(name);
    return true;
  }

  /** The job's process is running: RUNNING requirements on it are met unless it has a probe. */
  started(name: string): Transition {
    this.expect(name, ['dispatched']);
    this.setPhase(name, 'running');
    if (this.interruption !== undefined) return this.finish([], [], [name]);
    if (this.jobs.get(name)?.probe === true) return this.finish([], [], []);
    return this.probed(name);
  }

  /** The job's readiness probe passed: RUNNING requirements on it are met. */
  probed(name: string): Transition {
    if (this.phase(name) !== 'running' || this.up.has(name)) return this.finish([], [], []);
    this.up.add(name);
    this.wasUp.add(name);
    const ready: string[] = [];
    const canceled: Cancellation[] = [];
    this.propagate(name, ready, canceled);
    return this.finish(ready, canceled, []);
  }

  /** True once the job runs and is ready (probe passed, or no probe). */
  isUp(name: string): boolean {
    return this.up.has(name);
  }

  /** The job ended (or, for a dispatched job the engine never started, was canceled). */
  complete(name: string, outcome: Outcome): Transition {
    this.expect(name, ['dispatched', 'running']);
    if (outcome.reason !== undefined) this.reasons.set(name, outcome.reason);
    const retriesLeft = (this.jobs.get(name)?.retries ?? 0) + 1 - this.attempt(name);
    if (
      outcome.status === 'FAILED' &&
      retriesLeft > 0 &&
      this.interruption === undefined &&
      !this.stopRequested.has(name)
    ) {
      this.setPhase(name, 'backoff');
      const delayMs = backoffDelay(this.attempt(name), this.policy);
      return {
        ready: [],
        canceled: [],
        stop: [],
        retry: { job: name, attempt: this.attempt(name) + 1, delayMs },
      };
    }
    let status = outcome.status;
    if (this.stopRequested.has(name) && status === 'FAILED') status = 'STOPPED';
    if (status === 'CANCELED') this.causes.set(name, this.interruption ?? 'not started');
    this.up.delete(name);
    this.setPhase(name, status);
    const ready: string[] = [];
    const canceled: Cancellation[] = [];
    this.propagate(name, ready, canceled);
    this.abandonReleased(name, canceled);
    return this.finish(ready, canceled, []);
  }

  /** The backoff delay of a failed job has passed: it is ready for its next attempt. */
  retryDue(name: string): Transition {
    if (this.phases.get(name) !== 'backoff') return { ready: [], canceled: [], stop: [] };
    this.setPhase(name, 'ready');
    return { ready: [name], canceled: [], stop: [] };
  }

  /** Stop the workflow: nothing new starts, waiting jobs are CANCELED, running jobs are to stop. */
  interrupt(cause: string): Transition {
    this.interruption ??= cause;
    const canceled: Cancellation[] = [];
    const stop: string[] = [];
    for (const name of this.jobs.keys()) {
      const phase = this.phase(name);
      if (phase === 'waiting' || phase === 'ready' || phase === 'backoff') {
        this.cancel(name, cause, canceled);
      } else if (phase === 'running' && !this.stopRequested.has(name)) {
        this.stopRequested.add(name);
        stop.push(name);
      }
    }
    return { ready: [], canceled, stop };
  }

  get interrupted(): boolean {
    return this.interruption !== undefined;
  }

  isDone(): boolean {
    return this.finalCount === this.jobs.size;
  }

  /** The workflow's status; meaningful once `isDone()` (see workflow-status.ts). */
  status(): WorkflowStatus {
    return workflowStatus(
      this.snapshot().map((job) => ({
        phase: job.phase,
        stoppedByWorkflow: this.stopRequested.has(job.name),
      })),
      this.interrupted,
    );
  }

  isService(name: string): boolean {
    return this.services.has(name);
  }

  phase(name: string): Phase {
    const phase = this.phases.get(name);
    if (phase === undefined) throw new Error(`unknown job '${name}'`);
    return phase;
  }

  attempt(name: string): number {
    return this.attempts.get(name) ?? 0;
  }

  snapshot(): JobState[] {
    return [...this.jobs.keys()].map((name) => {
      const reason = this.reasons.get(name);
      const cause = this.causes.get(name);
      return {
        name,
        phase: this.phase(name),
        attempts: this.attempt(name),
        ...(reason === undefined ? {} : { reason }),
        ...(cause === undefined ? {} : { cause }),
      };
    });
  }

  /**
   * `name` ended: dependents released because of a RUNNING requirement on it, that the engine has
   * not begun to start (waiting for a slot), can no longer start beside it: they are canceled.
   */
  private abandonReleased(name: string, canceled: Cancellation[]): void {
    for (const dependent of this.dependents.get(name) ?? []) {
      const phase = this.phase(dependent);
      if (phase !== 'ready' && phase !== 'dispatched') continue;
      const req = this.jobs.get(dependent)?.requires.find((r) => (r.of ?? [r.job]).includes(name));
      if (req?.condition !== 'RUNNING') continue;
      const cause = this.unmetCause(req, name);
      if (phase === 'ready' || !this.launched.has(dependent))
        this.cancel(dependent, cause, canceled);
    }
  }

  /** Every job that reaches `name` through `requires`, transitively. */
  private reach(name: string, from = this.dependents.get(name) ?? []): string[] {
    const seen = new Set<string>();
    const todo = [...from];
    for (let next = todo.pop(); next !== undefined; next = todo.pop()) {
      if (seen.has(next)) continue;
      seen.add(next);
      todo.push(...(this.dependents.get(next) ?? []));
    }
    return [...seen];
  }

  /**
   * The jobs downstream of a service that keep it running: all of them but those that wait for it
   * to end (requiring it COMPLETED, FAILED or FINISHED, or downstream of such a job), which could
   * otherwise never start.
   */
  private keepers(service: string): string[] {
    const afterEnd = (this.dependents.get(service) ?? []).filter((d) =>
      this.jobs
        .get(d)
        ?.requires.some((r) => (r.of ?? [r.job]).includes(service) && r.condition !== 'RUNNING'),
    );
    const waiting = new Set(this.reach(service, afterEnd));
    return this.reach(service).filter((d) => !waiting.has(d));
  }

  /** Re-evaluates the waiting dependents of `name`, spreading cancellation transitively. */
  private propagate(name: string, ready: string[], canceled: Cancellation[]): void {
    for (const dependent of this.dependents.get(name) ?? []) {
      this.reevaluate(dependent, ready, canceled);
    }
  }

  private reevaluate(name: string, ready: string[], canceled: Cancellation[]): void {
    if (this.phase(name) !== 'waiting' || this.interruption !== undefined) return;
    const requires = this.jobs.get(name)?.requires ?? [];
    const verdicts: Verdict[] = requires.map((r) =>
      evaluateAll(
        r.condition,
        (r.of ?? [r.job]).map((job) => this.phase(job)),
        (r.of ?? [r.job]).map((job) => this.up.has(job)),
      ),
    );
    const verdict = combine(verdicts);
    if (verdict === 'met') {
      this.setPhase(name, 'ready');
      ready.push(name);
    } else if (verdict === 'impossible') {
      const index = verdicts.indexOf('impossible');
      const req = requires[index];
      const cause = req === undefined ? 'unmet requirement' : this.unmetCause(req);
      this.cancel(name, cause, canceled);
    }
  }

  private unmetCause(req: Requirement, ended?: string): string {
    const probed = (job: string): boolean =>
      this.jobs.get(job)?.probe === true && !this.wasUp.has(job);
    if (req.of === undefined)
      return unmetCause(req, this.phase(req.job), undefined, probed(req.job));
    const failing =
      ended ??
      req.of.find((job) => evaluate(req.condition, this.phase(job)) === 'impossible') ??
      req.of[0] ??
      req.job;
    return unmetCause(req, this.phase(failing), failing, probed(failing));
  }

  private cancel(name: string, cause: string, canceled: Cancellation[]): void {
    this.setPhase(name, 'CANCELED');
    this.reasons.set(name, 'canceled');
    this.causes.set(name, cause);
    canceled.push({ job: name, cause });
    this.propagate(name, [], canceled);
  }

  /** Adds to `stop` every running service with no job downstream of it left to run. */
  private finish(ready: string[], canceled: Cancellation[], stop: string[]): Transition {
    for (const name of this.services) {
      if (this.phase(name) !== 'running' || this.stopRequested.has(name)) continue;
      const downstream = this.downstream.get(name) ?? [];
      if (downstream.every((d) => isFinal(this.phase(d)))) {
        this.stopRequested.add(name);
        this.causes.set(name, 'stopped by the workflow: no job left needs it');
        stop.push(name);
      }
    }
    for (const name of stop) this.stopRequested.add(name);
    return { ready, canceled, stop };
  }

  private setPhase(name: string, phase: Phase): void {
    const before = this.phase(name);
    if (isFinal(before)) throw new Error(`job '${name}' already ended ${before}`);
    this.phases.set(name, phase);
    if (phase === 'ready') this.readySet.add(name);
    else this.readySet.delete(name);
    if (isFinal(phase)) this.finalCount++;
  }

  private expect(name: string, phases: readonly Phase[]): void {
    const phase = this.phase(name);
    if (!phases.includes(phase)) {
      throw new Error(`job '${name}' is ${phase}, expected ${phases.join(' or ')}`);
    }
  }
}

function unmetCause(req: Requirement, phase: Phase, instance?: string, probed = false): string {
  if (instance !== undefined && req.condition === 'FAILED')
    return `requires ${req.job}: FAILED, but none of its instances failed`;
  const what =
    phase === 'CANCELED'
      ? 'was canceled'
      : req.condition === 'RUNNING'
        ? probed
          ? `ended ${phase} before it was ready`
          : `ended (${phase}) before it could start`
        : `ended ${phase}`;
  return `requires ${req.job}: ${req.condition}, but ${instance ?? req.job} ${what}`;
}
