/**
 * `rnx job run -d/--detach [FLAGS] COMMAND [ARGS...]`: starts the job, hands it to its supervisor
 * (src/isolation/detach/) and returns as soon as it runs, or with --ready once it is ready,
 * printing its id, or with --json one object: id, name, network, address, status (RUNNING), pid,
 * startedAt, readyAt, log. --timeout is the supervisor's to enforce.
 *
 * A job not ready in time is stopped and recorded FAILED (reason not-ready): exit 1, as for a job
 * that ended before it was ready (its own exit code when it has one). Ctrl-C while waiting for it
 * to be ready stops it: exit 130.
 */
import { runJob } from '../isolation/runner.js';
import type { JobSpec } from '../isolation/job-spec.js';
import { logPathOf } from '../isolation/filesystem/job-files.js';
import { stateDir } from '../state/database.js';
import type { CliContext } from './context.js';
import { EXIT, stoppedBy } from './exit-codes.js';
import { exitCodeOf } from './job-run-single.js';
import { printJson, writeLine } from './print.js';

export async function runDetached(ctx: CliContext, spec: JobSpec, json: boolean): Promise<number> {
  const dir = stateDir(ctx.env);
  // At its end the supervisor runs rnx again, as this process was started.
  const rnx = [process.execPath, process.argv[1] ?? ''];
  const stop = new AbortController();
  const off = ctx.onSignal(() => {
    if (spec.ready !== undefined && !stop.signal.aborted) {
      writeLine(ctx.stderr, `rnx: stopping job ${spec.id} (it was not ready yet)`);
    }
    stop.abort();
  });
  let readyAt: string | undefined;
  let result;
  try {
    result = await runJob(
      spec,
      {
        signal: stop.signal,
        onReady: (info) => {
          readyAt = info.readyAt;
          writeLine(
            ctx.stderr,
            `rnx: job ${spec.id} ready after ${(info.afterMs / 1000).toFixed(2)}s`,
          );
        },
      },
      { stateDir: dir, detach: { rnx } },
    );
  } finally {
    off();
  }
  if (result.status !== 'RUNNING') {
    const code = exitCodeOf(ctx, result, stoppedBy(stop.signal.aborted, false));
    if (
      result.reason !== 'start-failed' &&
      result.reason !== 'network-setup' &&
      result.reason !== 'not-ready' &&
      !stop.signal.aborted
    ) {
      writeLine(
        ctx.stderr,
        `rnx: job ${result.id} ended ${spec.ready === undefined ? 'at once' : 'before it was ready'}: ${result.status}`,
      );
    }
    if (result.reason === 'not-ready') return EXIT.failed;
    return code === 0 ? EXIT.failed : code;
  }
  if (!json) {
    writeLine(ctx.stdout, result.id);
    return EXIT.ok;
  }
  printJson(ctx, {
    id: result.id,
    name: result.name ?? null,
    network: result.network,
    address: result.address ?? null,
    status: result.status,
    pid: result.pid ?? null,
    startedAt: result.startedAt ?? null,
    readyAt: readyAt ?? null,
    log: logPathOf(dir, result.id),
  });
  return EXIT.ok;
}
