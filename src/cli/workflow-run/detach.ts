/**
 * `rnx job run --workflow=FILE -d`: the file is validated here (problems shown, exit 2), then the
 * same command without -d runs as its own session (setsid), its output in `<state>/logs/RUN.log`,
 * and this rnx returns once the run is recorded as running, printing its id (with --json:
 * `{"runId", "status": "RUNNING", "log"}`). One Node process runs the whole run; its jobs are its
 * own, as in the foreground. `rnx workflow wait/stop/logs RUN` follow it from anywhere.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, openSync, closeSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { join } from 'node:path';
import { newRunId } from '../../engine/records.js';
import { stateDir } from '../../state/database.js';
import type { CliContext } from '../context.js';
import { EXIT } from '../exit-codes.js';
import { printJson, writeLine } from '../print.js';

export async function startDetachedRun(ctx: CliContext, json: boolean): Promise<number> {
  const dir = stateDir(ctx.env);
  const runId = newRunId();
  mkdirSync(join(dir, 'logs'), { recursive: true, mode: 0o700 });
  const log = join(dir, 'logs', `${runId}.log`);
  const out = openSync(log, 'a', 0o600);
  // The same command, in the foreground of a session of its own.
  const argv = process.argv
    .slice(2)
    .filter((a) => a !== '-d' && a !== '--detach' && a !== '--json');
  const child = spawn(process.execPath, [process.argv[1] ?? '', ...argv], {
    cwd: ctx.cwd,
    detached: true,
    stdio: ['ignore', out, out, 'pipe'],
    env: { ...ctx.env, RNX_DETACHED_RUN: runId, NO_COLOR: '1' },
  });
  closeSync(out);
  const ready = child.stdio[3] as Readable;
  const outcome = await new Promise<'running' | number>((resolve) => {
    ready.on('data', () => resolve('running'));
    ready.on('error', () => undefined);
    child.on('exit', (code) => resolve(code ?? EXIT.failed));
  });
  ready.destroy();
  child.unref();
  if (outcome !== 'running') {
    writeLine(
      ctx.stderr,
      `rnx: the workflow run ended before it started (exit ${String(outcome)}); see ${log}`,
    );
    return outcome === 0 ? EXIT.failed : outcome;
  }
  if (json) printJson(ctx, { runId, status: 'RUNNING', log });
  else writeLine(ctx.stdout, runId);
  return EXIT.ok;
}
