/**
 * The engine on literal plans, with an in-memory runner behind the JobRunner interface: proves
 * scheduling, concurrency, timeouts, retries, cancellation and hosts lists without the kernel
 * (test/engine/ runs the same engine on real namespaces).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { EngineEvent } from '../../src/engine/events.js';
import type { JobRunner, RunHooks } from '../../src/engine/ports.js';
import { runWorkflow, type EngineOptions } from '../../src/engine/run.js';
import type { JobResult, JobSpec } from '../../src/isolation/job-spec.js';
import type { Condition, PlannedJob, Plan } from '../../src/validate/model.js';

function planned(
  name: string,
  command: string,
  args: string[] = [],
  requires: string[] = [],
  extra: Partial<PlannedJob> = {},
): PlannedJob {
  return {
    name,
    command,
    args,
    network: 'app',
    volumes: [],
    uploads: { files: [], directories: [] },
    requires: requires.map((r) => {
      const [job = '', condition = 'COMPLETED'] = r.split(':');
      return { job, condition: condition as Condition };
    }),
    environment: {},
    secretEnvironment: {},
    resources: {},
    retries: 0,
    ...extra,
  };
}

function plan(...jobs: PlannedJob[]): Plan {
  return { file: 'test.yaml', name: 'test', jobs, waves: [] };
}

/**
 * Commands of the in-memory runner: `exit CODE MS` ends with CODE after MS; `serve` runs until
 * stopped; `flaky N` fails its first N attempts; `hold` ends only when the test calls `release`;
 * `ready MS` says it is ready (its probe passed) after MS, then serves until stopped.
 * Like the real runner it leases an address for the job when it starts, from a pool of `capacity`
 * addresses per network, and releases it when the job ends; a job finding its network full fails.
 */
class MemoryRunner implements JobRunner {
  running = 0;
  maxRunning = 0;
  readonly specs: JobSpec[] = [];
  readonly log: string[] = [];
  /** Leased addresses by job id. */
  readonly held = new Map<string, string>();
  maxHeld = 0;
  /** Jobs set up (their sandbox made) or running, now and at most. */
  setUp = 0;
  maxSetUp = 0;
  private readonly held_ = new Map<string, () => void>();
  private readonly tries = new Map<string, number>();
  private readonly capacity: number;

  constructor(capacity = 250) {
    this.capacity = capacity;
  }

  release(name: string): void {
    this.held_.get(name)?.();
  }

  async run(spec: JobSpec, hooks: RunHooks): Promise<JobResult> {
    const name = spec.name ?? spec.id;
    if (hooks.signal.aborted) return this.result(spec, 'STOPPED', 'stopped', null);
    // As the real runner: a job on a network takes its turn before its address is leased, one on
    // `none` waits for it with its sandbox made.
    const turnFirst = spec.network !== 'none';
    const notStarted = (): JobResult => {
      this.log.push(`not started ${name}`);
      return this.result(spec, 'STOPPED', 'stopped', null);
    };
    if (turnFirst && !(await hooks.slot())) return notStarted();
    const address = this.lease(spec);
    if (address === null) return this.result(spec, 'FAILED', 'network-setup', null);
    this.setUp++;
    this.maxSetUp = Math.max(this.maxSetUp, this.setUp);
    if (!turnFirst && !(await hooks.slot())) {
      this.setUp--;
      return notStarted();
    }
    this.specs.push(spec);
    this.running++;
    this.maxRunning = Math.max(this.maxRunning, this.running);
    this.log.push(`start ${name}`);
    hooks.onStarted({
      pid: 1000 + this.specs.length,
      ...(address === undefined ? {} : { address }),
    });
    hooks.onLines('stdout', Buffer.from(`hello from ${name}\n`));
    const code = await this.behave(spec, name, hooks);
    this.running--;
    this.setUp--;
    this.held.delete(spec.id);
    this.log.push(`end ${name}`);
    if (code === 'stopped') return this.result(spec, 'STOPPED', 'stopped', null);
    if (code === 'killed') return this.result(spec, 'FAILED', 'signal', null);
    return this.result(spec, code === 0 ? 'COMPLETED' : 'FAILED', 'exit', code);
  }

  /** An address for the job (undefined on `none`), or null when its network is full. */
  private lease(spec: JobSpec): string | undefined | null {
    if (spec.network === 'none') return undefined;
    const taken = new Set(this.held.values());
    for (let i = 0; i < this.capacity; i++) {
      const address = `${spec.network}/${String(i)}`;
      if (taken.has(address)) continue;
      this.held.set(spec.id, address);
      this.maxHeld = Math.max(this.maxHeld, this.held.size);
      return address;
    }
    return null;
  }

  private behave(
    spec: JobSpec,
    name: string,
    hooks: RunHooks,
  ): Promise<number | 'stopped' | 'killed'> {
    const tries = (this.tries.get(name) ?? 0) + 1;
    this.tries.set(name, tries);
    return new Promise((resolve) => {
      hooks.signal.addEventListener('abort', () => resolve('stopped'));
      hooks.killSignal.addEventListener('abort', () => resolve('killed'));
      if (spec.command === 'exit') {
        setTimeout(() => resolve(Number(spec.args[0])), Number(spec.args[1] ?? 0));
      } else if (spec.command === 'flaky') {
        setTimeout(() => resolve(tries <= Number(spec.args[0]) ? 1 : 0), 1);
      } else if (spec.command === 'ready') {
        const ms = Number(spec.args[0]);
        setTimeout(() => {
          this.log.push(`ready ${name}`);
          hooks.onReady({ afterMs: ms });
        }, ms);
      } else if (spec.command === 'hold') {
        this.held_.set(name, () => resolve(0));
      }
    });
  }

  private result(
    spec: JobSpec,
    status: JobResult['status'],
    reason: JobResult['reason'],
    exitCode: number | null,
  ): JobResult {
    return {
      id: spec.id,
      status,
      reason,
      exitCode,
      signal: null,
      network: spec.network,
      endedAt: '',
    };
  }
}

let ids = 0;
async function runPlan(p: Plan, options: Partial<EngineOptions> = {}, runner = new MemoryRunner()) {
  const events: EngineEvent[] = [];
  const result = await runWorkflow(
    p,
    { runner, newJobId: () => `job${String(++ids)}` },
    {
      runId: 'run1',
      concurrency: 2,
      retryPolicy: { baseMs: 1, factor: 2, capMs: 5 },
      onEvent: (e) => events.push(e),
      ...options,
    },
  );
  return { result, events, runner };
}

function outcome(r: Awaited<ReturnType<typeof runPlan>>) {
  assert.ok(r.result.ok);
  return r.result.value;
}

describe('engine', () => {
  it('never runs more jobs at once than the concurrency allows', async () => {
    const jobs = Array.from({ length: 8 }, (_, i) => planned(`j${String(i)}`, 'exit', ['0', '5']));
    for (const concurrency of [1, 3]) {
      const r = await runPlan(plan(...jobs), { concurrency });
      assert.equal(outcome(r).status, 'COMPLETED');
      assert.equal(r.runner.maxRunning, concurrency);
    }
  });

  it('sets the next jobs up while others run: as many as run, each waiting for its turn', async () => {
    const jobs = Array.from({ length: 8 }, (_, i) =>
      planned(`j${String(i)}`, 'exit', ['0', '5'], [], { network: 'none' }),
    );
    const r = await runPlan(plan(...jobs), { concurrency: 2 });
    assert.equal(outcome(r).status, 'COMPLETED');
    assert.equal(r.runner.maxRunning, 2);
    // Set up (their sandboxes made) or running: twice the concurrency, never more.
    assert.equal(r.runner.maxSetUp, 4);
  });

  it('leases no address for a job set up ahead: one on a network takes its turn first', async () => {
    const jobs = Array.from({ length: 8 }, (_, i) => planned(`j${String(i)}`, 'exit', ['0', '5']));
    const runner = new MemoryRunner(2);
    const r = await runPlan(plan(...jobs), { concurrency: 2 }, runner);
    assert.equal(
      outcome(r).status,
      'COMPLETED',
      'a network of 2 addresses is enough for 2 at once',
    );
    assert.equal(runner.maxHeld, 2);
  });

  it('undoes a job waiting for its turn once its RUNNING requirement ended: CANCELED, never run', async () => {
    // c holds the only slot; a (a service: outside the cap) runs and ends on its own while b,
    // released by a's start, waits for its turn with its sandbox made.
    const runner = new MemoryRunner();
    const p = plan(
      planned('c', 'hold'),
      planned('a', 'exit', ['0', '5']),
      planned('b', 'exit', ['0'], ['a:RUNNING'], { network: 'none' }),
    );
    const done = runPlan(p, { concurrency: 1 }, runner);
    while (!runner.log.includes('not started b')) await new Promise((r) => setTimeout(r, 1));
    runner.release('c');
    const value = outcome(await done);
    const b = value.jobs.find((j) => j.job === 'b');
    assert.equal(b?.status, 'CANCELED');
    assert.ok(!runner.log.includes('start b'), runner.log.join(', '));
    assert.equal(runner.held.size, 0, 'its lease was released');
  });

  it('starts a dependent as soon as its requirement ends, without waiting on a timer', async () => {
    const runner = new MemoryRunner();
    const p = plan(planned('a', 'hold'), planned('b', 'hold', [], ['a']));
    const done = runPlan(p, {}, runner);
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(runner.log, ['start a']);
    runner.release('a');
    // Only promise callbacks run between a's end and b's start: no timer, no polling.
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(runner.log, ['start a', 'end a', 'start b']);
    runner.release('b');
    assert.equal(outcome(await done).exitCode, 0);
  });

  it('runs services outside the cap and stops them when no job needs them any more', async () => {
    const p = plan(
      planned('db', 'serve'),
      planned('api', 'exit', ['0', '2'], ['db:RUNNING']),
      planned('web', 'exit', ['0', '1'], ['api']),
    );
    const r = await runPlan(p, { concurrency: 1 });
    const value = outcome(r);
    assert.equal(value.status, 'COMPLETED');
    assert.deepEqual(
      value.jobs.map((j) => [j.job, j.status]),
      [
        ['db', 'STOPPED'],
        ['api', 'COMPLETED'],
        ['web', 'COMPLETED'],
      ],
    );
    const stopping = r.events.find((e) => e.event === 'job-stopping');
    assert.equal(stopping?.event === 'job-stopping' && stopping.job, 'db');
  });

  it('starts a RUNNING dependent once the service is ready, keeps it for jobs downstream', async () => {
    const probe = { probe: { kind: 'tcp', port: 5432 }, intervalMs: 10, timeoutMs: 1000 } as const;
    const p = plan(
      planned('db', 'ready', ['20'], [], { ready: probe }),
      planned('migrate', 'exit', ['0', '2'], ['db:RUNNING']),
      planned('query', 'exit', ['0', '2'], ['migrate']),
    );
    const r = await runPlan(p);
    assert.deepEqual(r.runner.log, [
      'start db',
      'ready db',
      'start migrate',
      'end migrate',
      'start query',
      'end query',
      'end db',
    ]);
    const ready = r.events.find((e) => e.event === 'job-ready');
    assert.equal(ready?.event === 'job-ready' && ready.job, 'db');
    const value = outcome(r);
    assert.equal(value.status, 'COMPLETED');
    assert.deepEqual(
      value.jobs.map((j) => [j.job, j.status]),
      [
        ['db', 'STOPPED'],
        ['migrate', 'COMPLETED'],
        ['query', 'COMPLETED'],
      ],
    );
    assert.equal(r.runner.specs[0]?.ready, probe, 'the probe reaches the runner');
  });

  it('cancels the dependents of a service that fails before it is ready', async () => {
    const probe = {
      probe: { kind: 'log', pattern: 'up' },
      intervalMs: 10,
      timeoutMs: 1000,
    } as const;
    const p = plan(
      planned('db', 'exit', ['3', '5'], [], { ready: probe }),
      planned('migrate', 'exit', ['0', '1'], ['db:RUNNING']),
      planned('query', 'exit', ['0', '1'], ['migrate']),
    );
    const r = await runPlan(p);
    assert.deepEqual(r.runner.log, ['start db', 'end db']);
    const value = outcome(r);
    assert.equal(value.status, 'FAILED');
    assert.deepEqual(
      value.jobs.map((j) => [j.job, j.status, j.cause]),
      [
        ['db', 'FAILED', undefined],
        ['migrate', 'CANCELED', 'requires db: RUNNING, but db ended FAILED before it was ready'],
        ['query', 'CANCELED', 'requires migrate: COMPLETED, but migrate was canceled'],
      ],
    );
  });

  it('fails a job that exceeds its timeout with reason timeout', async () => {
    const r = await runPlan(plan(planned('slow', 'serve', [], [], { timeoutMs: 20 })));
    const value = outcome(r);
    assert.equal(value.status, 'FAILED');
    assert.equal(value.exitCode, 1);
    assert.equal(value.jobs[0]?.status, 'FAILED');
    assert.equal(value.jobs[0]?.reason, 'timeout');
  });

  it('retries with a new job id per attempt and records every attempt', async () => {
    const r = await runPlan(
      plan(
        planned('flaky', 'flaky', ['2'], [], { retries: 2 }),
        planned('after', 'exit', ['0'], ['flaky']),
      ),
    );
    assert.equal(outcome(r).status, 'COMPLETED');
    const finished = r.events.filter((e) => e.event === 'job-finished' && e.job === 'flaky');
    assert.deepEqual(
      finished.map((e) => e.event === 'job-finished' && [e.attempt, e.status]),
      [
        [1, 'FAILED'],
        [2, 'FAILED'],
        [3, 'COMPLETED'],
      ],
    );
    const retries = r.events.filter((e) => e.event === 'job-retrying');
    assert.deepEqual(
      retries.map((e) => e.event === 'job-retrying' && e.delayMs),
      [1, 2],
    );
    const flakyIds = r.runner.specs.filter((s) => s.name === 'flaky').map((s) => s.id);
    assert.equal(new Set(flakyIds).size, 3);
    assert.equal(r.runner.held.size, 0, 'every attempt lease released');
  });

  it('propagates a failure: dependents are canceled with a cause, the run fails', async () => {
    const r = await runPlan(
      plan(
        planned('build', 'exit', ['3']),
        planned('deploy', 'exit', ['0'], ['build']),
        planned('cleanup', 'exit', ['0'], ['build:FAILED']),
      ),
    );
    const value = outcome(r);
    assert.equal(value.status, 'FAILED');
    assert.deepEqual(
      value.jobs.map((j) => [j.job, j.status, j.exitCode]),
      [
        ['build', 'FAILED', 3],
        ['deploy', 'CANCELED', null],
        ['cleanup', 'COMPLETED', 0],
      ],
    );
    assert.equal(value.jobs[1]?.cause, 'requires build: COMPLETED, but build ended FAILED');
  });

  it('on abort stops running jobs, cancels pending ones, releases every lease, ends CANCELED', async () => {
    const controller = new AbortController();
    const runner = new MemoryRunner();
    const p = plan(planned('a', 'serve'), planned('b', 'hold'), planned('c', 'exit', ['0'], ['a']));
    const done = runPlan(p, { signal: controller.signal, concurrency: 1 }, runner);
    await new Promise((r) => setImmediate(r));
    controller.abort('interrupted by SIGINT');
    const r = await done;
    const value = outcome(r);
    assert.equal(value.status, 'CANCELED');
    assert.equal(value.exitCode, 130);
    assert.deepEqual(
      value.jobs.map((j) => [j.job, j.status]),
      [
        ['a', 'STOPPED'],
        ['b', 'CANCELED'],
        ['c', 'CANCELED'],
      ],
    );
    // b waited for its turn (concurrency 1: a had the slot): it never ran.
    assert.deepEqual(runner.log, ['start a', 'end a', 'not started b'], 'b never started');
    assert.equal(runner.held.size, 0);
  });

  it('kills running jobs at once when the kill signal aborts', async () => {
    const stop = new AbortController();
    const kill = new AbortController();
    const runner = new MemoryRunner();
    // No graceful stop is asked for: only the kill ends the held job.
    const done = runPlan(
      plan(planned('stubborn', 'hold')),
      { signal: stop.signal, killSignal: kill.signal },
      runner,
    );
    await new Promise((r) => setImmediate(r));
    kill.abort();
    const value = outcome(await done);
    assert.equal(value.jobs[0]?.reason, 'signal');
  });

  it('reports the address each job got when it started; hands the runner no host list', async () => {
    const r = await runPlan(
      plan(
        planned('db', 'exit', ['0']),
        planned('api', 'exit', ['0'], ['db']),
        planned('offline', 'exit', ['0'], [], { network: 'none' }),
      ),
      { concurrency: 1 },
    );
    const started = r.events.flatMap((e) =>
      e.event === 'job-started' ? [[e.job, e.address ?? null]] : [],
    );
    // At concurrency 1, offline (ready from the start) waits for its turn with its sandbox made
    // while db runs; api is released only when db ends: offline's turn comes first.
    assert.deepEqual(started, [
      ['db', 'app/0'],
      ['offline', null],
      ['api', 'app/0'],
    ]);
    assert.deepEqual(
      outcome(r).jobs.map((j) => [j.job, j.address ?? null]),
      [
        ['db', 'app/0'],
        ['api', 'app/0'],
        ['offline', null],
      ],
    );
    // Names come from the runner's per-network hosts files, kept current as jobs come and go.
    assert.ok(r.runner.specs.every((s) => s.hosts === undefined));
    assert.equal(r.runner.held.size, 0, 'leases released at the end');
  });

  it('leases when a job starts: 300 jobs run on a network of 250 addresses', async () => {
    const runner = new MemoryRunner(250);
    const jobs = Array.from({ length: 300 }, (_, i) =>
      planned(`j${String(i)}`, 'exit', ['0', '1']),
    );
    const r = await runPlan(plan(...jobs), { concurrency: 4 }, runner);
    const value = outcome(r);
    assert.equal(value.status, 'COMPLETED');
    assert.equal(value.jobs.filter((j) => j.status === 'COMPLETED').length, 300);
    assert.ok(
      runner.maxHeld <= 4,
      `at most one lease per running job (held ${String(runner.maxHeld)})`,
    );
    assert.equal(runner.held.size, 0);
  });
});
