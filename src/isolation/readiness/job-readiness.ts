/**
 * Readiness for the runner: feeds the job's output to the log matcher, starts the watch once the
 * job runs, records the ready time and calls back, and when the probe never passes asks the runner
 * to stop the job (it then ends FAILED, reason not-ready, with the last probe's answer).
 */
import { monotonicMs } from '../../clock.js';
import type { Database } from '../../state/database.js';
import type { Readiness } from '../../validate/model.js';
import type { AsTheJob } from '../start/final-exec.js';
import { findTool } from '../../host-tools.js';
import { markReady } from '../records/job-store.js';
import { LogMatcher } from './log-matcher.js';
import { watchReadiness, type ReadinessWatch } from './watch.js';

export interface ReadyInfo {
  /** From the command's start to the probe's pass. */
  readonly afterMs: number;
  readonly readyAt: string;
}

export class JobReadiness {
  private readonly ready: Readiness | undefined;
  private readonly log: LogMatcher | undefined;
  private readonly stopper = new AbortController();
  private watch: ReadinessWatch | undefined;
  private failure: string | undefined;

  constructor(ready: Readiness | undefined) {
    this.ready = ready;
    if (ready?.probe.kind === 'log') this.log = new LogMatcher(ready.probe.pattern);
  }

  /** Aborts when the probe did not pass in time: the runner stops the job then. */
  get stopSignal(): AbortSignal {
    return this.stopper.signal;
  }

  /** Why the job was not ready, when that is why it was stopped. */
  get notReady(): string | undefined {
    return this.failure;
  }

  output(stream: 'stdout' | 'stderr', chunk: Buffer): void {
    this.log?.push(stream, chunk);
  }

  /** The command runs (PID 1 is `pid` on the host): start probing. */
  start(
    db: Database,
    jobId: string,
    job: {
      pid: number;
      env: Readonly<Record<string, string>>;
      as: AsTheJob;
      /** The job's cgroup.procs files, which exec probes join. */
      cgroupProcs: readonly string[];
      /** The sandbox program that started it (its PID 1 runs it until the command). */
      sandbox: string;
    },
    onReady: (info: ReadyInfo) => void,
  ): void {
    if (this.ready === undefined) return;
    this.watch = watchReadiness({
      ready: this.ready,
      tools: {
        nsenter: findTool('nsenter') ?? 'nsenter',
        sh: findTool('sh') ?? 'sh',
        setpriv: findTool('setpriv') ?? 'setpriv',
      },
      sandbox: job.sandbox,
      pid: job.pid,
      startedAt: monotonicMs(),
      env: job.env,
      as: job.as,
      cgroupProcs: job.cgroupProcs,
      ...(this.log === undefined ? {} : { log: this.log }),
    });
    void this.watch.result.then((result) => {
      if (result.ready) {
        const readyAt = new Date().toISOString();
        markReady(db, jobId, readyAt);
        onReady({ afterMs: result.afterMs, readyAt });
      } else {
        this.failure = result.detail;
        this.stopper.abort(result.detail);
      }
    });
  }

  /** The job ended: stop probing. */
  cancel(): void {
    this.watch?.cancel();
  }
}
