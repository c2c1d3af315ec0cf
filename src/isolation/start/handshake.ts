/**
 * The start protocol with a spawned job (see init-script.ts), from "spawned" to "the command is
 * exec'ing": wait for init's `n` (the namespaces exist), run phase 2 with the PID, write the go,
 * wait for init's `w` and `x`. Everything before the go is bounded by the setup timeout; a failure
 * before the go means the command never runs.
 */
import type { Result } from '../../problem.js';
import type { Exit, JobProcess } from './job-process.js';
import type { Failure } from '../end/run-end.js';

export type Handshake =
  | { readonly kind: 'running'; readonly readyToExecMs: number; readonly initWaited: boolean }
  | { readonly kind: 'failed'; readonly failure: Failure }
  | { readonly kind: 'not-found'; readonly exit: Exit };

export interface HandshakeOptions {
  /** Phase 2, run once the namespaces exist (absent for `none`). */
  readonly attach?: () => Promise<Result<void>>;
  readonly networkName: string;
  readonly setupTimeoutMs: number;
  /** Asked just before the go: a stop requested meanwhile cancels the start. */
  readonly stopRequested: () => boolean;
}

function timeout(ms: number): { promise: Promise<'timeout'>; clear: () => void } {
  let timer: NodeJS.Timeout | undefined;
  const promise = new Promise<'timeout'>(
    (resolve) => (timer = setTimeout(() => resolve('timeout'), ms)),
  );
  return { promise, clear: () => clearTimeout(timer) };
}

const failed = (failure: Failure): Handshake => ({ kind: 'failed', failure });

export async function handshake(proc: JobProcess, options: HandshakeOptions): Promise<Handshake> {
  const setup = timeout(options.setupTimeoutMs);
  try {
    const first = await Promise.race([proc.nextEvent(), setup.promise]);
    if (first === 'timeout' || first.kind !== 'namespaces') {
      proc.cancel();
      const detail = first === 'timeout' ? 'timed out' : first.kind === 'error' ? first.detail : '';
      return failed({
        reason: 'start-failed',
        message: `the job's namespaces could not be created: ${detail}`,
      });
    }
    if (options.attach !== undefined) {
      const wired = await Promise.race([options.attach(), setup.promise]);
      if (wired === 'timeout' || !wired.ok) {
        proc.cancel();
        const why = wired === 'timeout' ? 'timed out' : wired.problem.message;
        return failed({
          reason: 'network-setup',
          message: `network setup for '${options.networkName}' failed, the command did not run: ${why}`,
        });
      }
    }
    if (options.stopRequested()) {
      proc.cancel();
      return failed({ reason: 'stopped', message: 'stopped before it started' });
    }
    // The network is ready: the go byte goes now, and init reads it as soon as its own setup is
    // done (without blocking at all when it comes later than the go).
    const goAt = proc.go();
    const waiting = await Promise.race([proc.nextEvent(), setup.promise]);
    if (waiting === 'timeout' || waiting.kind !== 'waiting') {
      proc.abort();
      const detail =
        waiting === 'timeout'
          ? 'timed out'
          : waiting.kind === 'error'
            ? `${waiting.step}: ${waiting.detail}`
            : waiting.kind;
      return failed({ reason: 'start-failed', message: `the job's init failed at ${detail}` });
    }
    setup.clear();
    const next = await proc.nextEvent();
    if (next.kind === 'exec') {
      return {
        kind: 'running',
        readyToExecMs: next.at - Math.max(goAt, waiting.at),
        initWaited: waiting.at < goAt,
      };
    }
    const exit = await proc.exited;
    if (next.kind === 'error' && next.step === 'notfound') return { kind: 'not-found', exit };
    return failed({
      reason: 'start-failed',
      message: `the job's init failed at ${next.kind === 'error' ? `${next.step}: ${next.detail}` : 'start'}`,
    });
  } finally {
    setup.clear();
  }
}
