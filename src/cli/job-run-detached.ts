/**
 * `rnx job run -d/--detach [FLAGS] COMMAND [ARGS...]`: starts the job, hands it to its supervisor
 * (src/isolation/detach/) and returns as soon as it runs, printing its id, or with --json one
 * object: id, name, network, address, status (RUNNING), pid, startedAt, log.
 */
import { runJob } from '../isolation/runner.js';
import type { JobSpec } from '../isolation/job-spec.js';
import { logPathOf } from '../isolation/filesystem/job-files.js';
import { stateDir } from '../state/database.js';
import type { CliContext } from './context.js';
import { EXIT } from './exit-codes.js';
import { exitCodeOf } from './job-run-single.js';
import { printJson, printProblem, writeLine } from './print.js';

export async function runDetached(ctx: CliContext, spec: JobSpec, json: boolean): Promise<number> {
  if (spec.timeoutMs !== undefined) {
    printProblem(ctx, {
      code: 'usage',
      message: '--timeout does not work with --detach yet',
      hint: "stop a detached job with 'rnx job stop ID'",
    });
    return EXIT.usage;
  }
  if (spec.ready !== undefined) {
    // The probe runs in the foreground runner; a detached job would return before it is ready.
    printProblem(ctx, {
      code: 'usage',
      message: '--ready does not work with --detach yet',
      hint: 'run it in the foreground, or detach without --ready',
    });
    return EXIT.usage;
  }
  const dir = stateDir(ctx.env);
  // At its end the supervisor runs rnx again, as this process was started.
  const rnx = [process.execPath, process.argv[1] ?? ''];
  const result = await runJob(spec, {}, { stateDir: dir, detach: { rnx } });
  if (result.status !== 'RUNNING') {
    const code = exitCodeOf(ctx, result, false);
    if (result.reason !== 'start-failed' && result.reason !== 'network-setup') {
      writeLine(ctx.stderr, `rnx: job ${result.id} ended at once: ${result.status}`);
    }
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
    log: logPathOf(dir, result.id),
  });
  return EXIT.ok;
}
