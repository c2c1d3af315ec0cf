/**
 * Watches a running job until its readiness probe passes, or its timeout (counted from the job's
 * start) expires: exec attempts every interval, the tcp/http prober in the job's netns, or the
 * first output line matching the log pattern. The runner stops the job when it is not ready in time.
 */
import { monotonicMs } from '../../clock.js';
import type { Readiness } from '../../validate/model.js';
import type { AsTheJob } from '../start/final-exec.js';
import { execAttempt, stillSettingUp, type ProbeTools } from './exec-probe.js';
import type { LogMatcher } from './log-matcher.js';
import { startNetProbe } from './net-prober.js';

export type ReadinessResult =
  | { readonly ready: true; readonly afterMs: number }
  | { readonly ready: false; readonly detail: string };

export interface WatchOptions {
  readonly ready: Readiness;
  readonly tools: ProbeTools;
  /**
   * The sandbox program that started the job (rnx-sandbox or bwrap): until PID 1 stops being it,
   * the job is still being set up.
   */
  readonly sandbox: string | undefined;
  /** Host pid of the job's PID 1. */
  readonly pid: number;
  /** monotonicMs() when the job's command started. */
  readonly startedAt: number;
  /** The job's environment and final step, for exec probes. */
  readonly env: Readonly<Record<string, string>>;
  readonly as: AsTheJob;
  /** The job's cgroup.procs files: each exec attempt joins them before it enters the job. */
  readonly cgroupProcs: readonly string[];
  /** For log probes: the matcher the job's output is fed to. */
  readonly log?: LogMatcher;
}

export interface ReadinessWatch {
  /** Settles once; never after `cancel`. */
  readonly result: Promise<ReadinessResult>;
  cancel(): void;
}

export function watchReadiness(options: WatchOptions): ReadinessWatch {
  const { ready } = options;
  const deadline = options.startedAt + ready.timeoutMs;
  const afterMs = (): number => Math.round(monotonicMs() - options.startedAt);
  const notReady = (detail: string): ReadinessResult => ({
    ready: false,
    detail: `not ready after ${formatSeconds(ready.timeoutMs)}: ${detail}`,
  });
  let canceled = false;
  const cleanups: (() => void)[] = [];
  const result = new Promise<ReadinessResult>((resolve) => {
    const settle = (value: ReadinessResult): void => {
      if (canceled) return;
      canceled = true;
      for (const cleanup of cleanups) cleanup();
      resolve(value);
    };
    const probe = ready.probe;
    const remaining = (): number => Math.max(0, deadline - monotonicMs());
    const expiry = setTimeout(() => {
      if (probe.kind === 'log') settle(notReady(`no output line matched /${probe.pattern}/`));
    }, remaining());
    cleanups.push(() => clearTimeout(expiry));
    switch (probe.kind) {
      case 'log':
        options.log?.whenMatched(() => settle({ ready: true, afterMs: afterMs() }));
        return;
      case 'tcp':
      case 'http': {
        const net = startNetProbe(options.tools, options.pid, {
          kind: probe.kind,
          target: probe.kind === 'tcp' ? String(probe.port) : probe.target,
          intervalMs: ready.intervalMs,
          timeoutMs: remaining(),
        });
        cleanups.push(() => net.stop());
        void net.result.then((r) => {
          if (r.passed) return settle({ ready: true, afterMs: afterMs() });
          if (r.answered) return settle(notReady(r.detail));
          // The prober could not run: most often the job has just ended (its namespace went
          // with it), which the job's end tells the caller, and not as "not ready". Said only
          // if the job is still there at the deadline.
          if (canceled) return;
          const timer = setTimeout(() => settle(notReady(r.detail)), remaining());
          cleanups.push(() => clearTimeout(timer));
        });
        return;
      }
      case 'exec': {
        // The last attempt that answered: a final attempt cut short by the deadline has nothing
        // to say, the one before it says why the job was not ready.
        let answered: string | undefined;
        const attempt = async (): Promise<void> => {
          const began = monotonicMs();
          const r = stillSettingUp(options.pid, options.sandbox)
            ? { passed: false, detail: 'the job was still being set up' }
            : await execAttempt(
                options.tools,
                options.pid,
                {
                  command: probe.command,
                  env: options.env,
                  as: options.as,
                  cgroupProcs: options.cgroupProcs,
                },
                Math.max(1, remaining()),
              );
          if (canceled) return;
          if (r.passed) return settle({ ready: true, afterMs: afterMs() });
          const why = r.late === true && answered !== undefined ? answered : r.detail;
          if (r.late !== true) answered = r.detail;
          const wait = Math.max(0, began + ready.intervalMs - monotonicMs());
          if (monotonicMs() + wait >= deadline) {
            const timer = setTimeout(() => settle(notReady(why)), remaining());
            cleanups.push(() => clearTimeout(timer));
            return;
          }
          const timer = setTimeout(() => void attempt(), wait);
          cleanups.push(() => clearTimeout(timer));
        };
        void attempt();
        return;
      }
    }
  });
  return {
    result,
    cancel() {
      if (canceled) return;
      canceled = true;
      for (const cleanup of cleanups) cleanup();
    },
  };
}

function formatSeconds(ms: number): string {
  return ms % 1000 === 0 ? `${String(ms / 1000)}s` : `${String(ms)}ms`;
}
