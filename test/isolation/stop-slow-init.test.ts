/**
 * A stop whose job's PID 1 has no handler for the stop signal (the kernel drops it for a PID 1) but
 * has a child: the signal ends the child, and PID 1 ends by itself a while later, as a shell does
 * (128 + 15 = 143). The stop waits for that end until its grace period is over, however long it
 * takes, instead of killing PID 1 (137) after a guess of how long a shell needs.
 *
 * The rig is a python PID 1 that starts `sleep`, says `child up`, waits for it, says `child ended`
 * and then waits for SIGUSR1 from the test before it exits 128 + the signal that ended its child.
 * The test sends SIGUSR1 a second after `child ended`: far past the quarter of a second the stop
 * used to give PID 1, so a stop that kills early shows; a correct stop's outcome does not depend on
 * that second (its grace period is two minutes). Checked for each caller of the stop: Ctrl-C of an
 * in-process run, `rnx job stop` of a job that `rnx job run` runs and of a detached job, and
 * `rnx workflow stop`.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import type { Readable } from 'node:stream';
import { after, describe, it } from 'node:test';
import { collectRun, RNX_BIN, runCli, tempDir, type CliRun } from '../helpers/cli.js';
import { writeWorkflow } from '../helpers/workflow.js';
import { jobSpec, processExists, run, sleep } from './job-rig.js';

const SLOW_INIT = [
  'import signal, subprocess, sys',
  'signal.pthread_sigmask(signal.SIG_BLOCK, [signal.SIGUSR1])',
  "child = subprocess.Popen(['sleep', '1000'])",
  "print('child up', flush=True)",
  'status = child.wait()',
  "print('child ended', flush=True)",
  'signal.sigwait([signal.SIGUSR1])',
  'sys.exit(128 - status)',
].join('; ');

const state = tempDir('rnx-stop-slow-init-');
after(() => state.cleanup());
const rnx = (args: readonly string[]) => runCli(args, { stateDir: state.dir });

/**
 * Lets the job's PID 1 (host pid `pid`) end a second after its child ended; says whether it was
 * still there then (a stop that killed it early would have ended it).
 */
async function release(pid: number): Promise<boolean> {
  await sleep(1000);
  const alive = processExists(pid);
  if (alive) process.kill(pid, 'SIGUSR1');
  return alive;
}

/** Resolves once `stream` has printed `text` (at any time before or after the call). */
function printer(stream: Readable): (text: string) => Promise<void> {
  let seen = '';
  const waiting: { text: string; resolve: () => void }[] = [];
  stream.setEncoding('utf8').on('data', (chunk: string) => {
    seen += chunk;
    for (const w of waiting.filter((w) => seen.includes(w.text))) w.resolve();
  });
  return (text) =>
    new Promise((resolve) => {
      if (seen.includes(text)) resolve();
      else waiting.push({ text, resolve });
    });
}

function rnxProcess(args: readonly string[]): {
  child: ChildProcess;
  printed: ReturnType<typeof printer>;
} {
  const child = spawn(process.execPath, [RNX_BIN, ...args], {
    env: { ...process.env, RNX_STATE_DIR: state.dir, NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return { child, printed: printer(child.stdout) };
}

interface Status {
  id: string;
  pid: number | null;
  status: string;
  reason: string | null;
  exitCode: number | null;
  signal: string | null;
}

async function statusOf(ref: string): Promise<Status> {
  const r = await rnx(['job', 'status', ref, '--json']);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as Status;
}

/**
 * The record of a job the stop let end by itself: STOPPED, its own exit 143 (128 + 15, recorded as
 * SIGTERM as a shell reads it), not SIGKILL.
 */
function endedByItself(final: Status): void {
  assert.equal(final.status, 'STOPPED');
  assert.equal(final.reason, 'stopped');
  assert.equal(final.signal, 'SIGTERM', JSON.stringify(final));
  assert.equal(final.exitCode, null);
}

/**
 * Stops the job `ref` with `stop` once `printed` says its child is up, releases its PID 1 once
 * its child ended, and returns the stop command's result.
 */
async function stopSlowInit(
  ref: string,
  printed: (text: string) => Promise<void>,
  stop: readonly string[],
): Promise<CliRun> {
  await printed('child up');
  const { pid } = await statusOf(ref);
  assert.ok(pid !== null, `job ${ref} has a pid`);
  const stopped = rnx(stop);
  await printed('child ended');
  assert.equal(await release(pid), true, 'PID 1 was still there to end by itself');
  return stopped;
}

describe('stopping a job whose PID 1 ends a while after its child', () => {
  it('Ctrl-C of a run: the stop waits for PID 1 to end by itself (143), not SIGKILL', async () => {
    const stop = new AbortController();
    let pid = 0;
    let released: Promise<boolean> | undefined;
    const { result } = await run(
      jobSpec('python3', ['-c', SLOW_INIT]),
      {
        signal: stop.signal,
        onStarted: (info) => (pid = info.pid),
        onStdout: (chunk) => {
          const text = chunk.toString();
          if (text.includes('child up')) stop.abort();
          if (text.includes('child ended')) released = release(pid);
        },
      },
      { graceMs: 120_000 },
    );
    assert.equal(await released, true, 'PID 1 was still there to end by itself');
    assert.equal(result.status, 'STOPPED');
    assert.equal(result.reason, 'stopped');
    assert.equal(result.signal, 'SIGTERM', JSON.stringify(result));
    assert.equal(result.exitCode, null);
  });

  it('rnx job stop of a job rnx job run runs: 143, STOPPED', async () => {
    const { child, printed } = rnxProcess([
      'job',
      'run',
      '--network=none',
      '--name=slow-foreground',
      'python3',
      '-c',
      SLOW_INIT,
    ]);
    const done = collectRun(child);
    const stopped = await stopSlowInit('slow-foreground', printed, [
      'job',
      'stop',
      'slow-foreground',
      '--grace=2m',
    ]);
    assert.equal(stopped.code, 0, stopped.stderr);
    assert.match(stopped.stdout, / STOPPED\n$/);
    assert.equal((await done).code, 143);
    endedByItself(await statusOf('slow-foreground'));
  });

  it('rnx job stop of a detached job: 143, STOPPED', async () => {
    const started = await rnx([
      'job',
      'run',
      '-d',
      '--network=none',
      '--name=slow-detached',
      'python3',
      '-c',
      SLOW_INIT,
    ]);
    assert.equal(started.code, 0, started.stderr);
    const id = started.stdout.trim();
    const { child, printed } = rnxProcess(['job', 'log', id, '--follow']);
    const followed = collectRun(child);
    const stopped = await stopSlowInit(id, printed, ['job', 'stop', id, '--grace=2m']);
    assert.equal(stopped.code, 0, stopped.stderr);
    assert.equal(stopped.stdout, `${id} STOPPED\n`);
    assert.equal((await followed).code, 0);
    const waited = await rnx(['job', 'wait', id]);
    assert.equal(waited.code, 143, waited.stderr);
    endedByItself(await statusOf(id));
  });

  it('rnx workflow stop: the job ends by itself (143), the run CANCELED', async () => {
    const file = writeWorkflow(
      state.dir,
      'slow-init',
      `name: slow-init
jobs:
  slow-in-workflow:
    command: python3
    args: ['-c', ${JSON.stringify(SLOW_INIT)}]
    network: none
    stop_grace: 2m
`,
    );
    const started = await rnx(['job', 'run', `--workflow=${file}`, '-d']);
    assert.equal(started.code, 0, started.stderr);
    const runId = started.stdout.trim();
    const { child, printed } = rnxProcess(['workflow', 'logs', runId, '--follow']);
    const followed = collectRun(child);
    const stopped = await stopSlowInit('slow-in-workflow', printed, ['workflow', 'stop', runId]);
    assert.equal(stopped.code, 0, stopped.stderr);
    assert.equal(stopped.stdout, `${runId} CANCELED\n`);
    await followed;
    endedByItself(await statusOf('slow-in-workflow'));
  });
});
