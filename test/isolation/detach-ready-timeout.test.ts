/**
 * Detached jobs with a readiness probe and a timeout, for real: `rnx job run -d --ready=...`
 * returns once the probe passed (its --json object says when), or stops the job and exits 1 when
 * it never passes (FAILED, not-ready), or says the job ended before it was ready; `-d --timeout`
 * is enforced by the job's supervisor with no rnx running (FAILED, timeout, 124), and a job that
 * ends before its timeout leaves no timer behind.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, watch } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { RNX_BIN, runCli, tempDir } from '../helpers/cli.js';
import { leftovers } from '../helpers/leftovers.js';
import { stopEveryJob } from '../helpers/state-leftovers.js';
import { processExists } from './job-rig.js';

const state = tempDir('rnx-detach-ready-');
after(async () => {
  await stopEveryJob(state.dir);
  state.cleanup();
});

const rnx = (args: readonly string[]): ReturnType<typeof runCli> =>
  runCli(args, { stateDir: state.dir });

interface Record {
  readonly id: string;
  readonly status: string;
  readonly reason: string | null;
  readonly message: string | null;
  readonly exitCode: number | null;
  readonly pid: number | null;
  readonly readyAt: string | null;
}

/** Processes whose command line has `needle` (a job's own words, a timer's odd duration). */
function processesWith(needle: string): number[] {
  return readdirSync('/proc')
    .filter((p) => /^\d+$/.test(p))
    .map(Number)
    .filter((pid) => {
      try {
        const cmdline = readFileSync(`/proc/${String(pid)}/cmdline`, 'utf8').replace(/\0/g, ' ');
        return cmdline.includes(needle) && processExists(pid);
      } catch {
        return false;
      }
    });
}

/** `rnx job run -d ARGS...` */
const detached = (args: readonly string[]): ReturnType<typeof runCli> =>
  rnx(['job', 'run', '-d', ...args]);

/** True once `pids()` is empty (killed processes take a moment to exit); bounded. */
async function gone(pids: () => number[]): Promise<boolean> {
  const end = performance.now() + 5000;
  while (pids().length > 0) {
    if (performance.now() > end) return false;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  return true;
}

async function finalRecord(id: string): Promise<{ code: number | null; record: Record }> {
  const waited = await rnx(['job', 'wait', id, '--json']);
  return { code: waited.code, record: JSON.parse(waited.stdout) as Record };
}

describe('rnx job run -d --ready', () => {
  it('returns once the job is ready: a tcp probe, the ready time in --json', async () => {
    const started = await detached([
      '--json',
      '--network=none',
      '--ready=tcp:8000',
      '--ready-interval=50ms',
      '--',
      'sh',
      '-c',
      'sleep 0.5; exec python3 -m http.server 8000',
    ]);
    assert.equal(started.code, 0, started.stderr);
    const job = JSON.parse(started.stdout) as Record & { startedAt: string };
    assert.equal(job.status, 'RUNNING');
    assert.ok(job.readyAt !== null && job.readyAt > job.startedAt, started.stdout);
    assert.match(started.stderr, new RegExp(`rnx: job ${job.id} ready after \\d+\\.\\d\\ds`));
    const status = await rnx(['job', 'status', job.id, '--json']);
    assert.equal((JSON.parse(status.stdout) as Record).readyAt, job.readyAt);
    const stopped = await rnx(['job', 'stop', job.id, '--grace=1s']);
    assert.equal(stopped.code, 0, stopped.stderr);
    const { record } = await finalRecord(job.id);
    assert.equal(record.status, 'STOPPED');
    assert.deepEqual(leftovers(state.dir, [job.id], job.pid === null ? [] : [job.pid]), []);
  });

  it('a log probe, matched in the log its supervisor writes', async () => {
    const started = await detached([
      '--network=none',
      '--ready=log:listening on \\d+',
      '--',
      'sh',
      '-c',
      'echo starting; sleep 0.3; echo listening on 4242; exec sleep 300',
    ]);
    assert.equal(started.code, 0, started.stderr);
    const id = started.stdout.trim();
    const log = readFileSync(`${state.dir}/logs/${id}.log`, 'utf8');
    assert.match(log, /listening on 4242/, 'ready only once the line is in its log');
    assert.equal((await rnx(['job', 'stop', id, '--grace=1s'])).code, 0);
    const { record } = await finalRecord(id);
    assert.ok(record.readyAt !== null);
  });

  it('never ready: stopped with its stop signal, FAILED not-ready, exit 1, nothing left', async () => {
    const started = await detached([
      '--json',
      '--network=none',
      '--ready=tcp:9',
      '--ready-interval=50ms',
      '--ready-timeout=700ms',
      '--stop-signal=SIGUSR1',
      '--',
      'sh',
      '-c',
      // sh starts in a few ms and traps the stop signal at once: it is given its grace.
      "trap 'echo asked to stop; exit 0' USR1; while :; do sleep 0.05; done",
    ]);
    assert.equal(started.code, 1, started.stderr);
    assert.equal(started.stdout, '', 'no id: the job did not become ready');
    const id = /rnx: job ([0-9a-f]{12}) FAILED: not ready after 700ms: /.exec(started.stderr)?.[1];
    assert.ok(id !== undefined, started.stderr);
    const { code, record } = await finalRecord(id);
    assert.equal(record.status, 'FAILED');
    assert.equal(record.reason, 'not-ready');
    assert.match(record.message ?? '', /127\.0\.0\.1:9: ECONNREFUSED/);
    assert.equal(code, 0, 'it exited 0 on its stop signal');
    assert.match(readFileSync(`${state.dir}/logs/${id}.log`, 'utf8'), /asked to stop/);
    assert.deepEqual(leftovers(state.dir, [id], []), []);
  });

  it('a job that ends before it is ready: its own exit code, and said so', async () => {
    const started = await detached([
      '--network=none',
      '--ready=tcp:8000',
      '--',
      'sh',
      '-c',
      'echo giving up; exit 3',
    ]);
    assert.equal(started.code, 3, started.stderr);
    assert.match(started.stderr, /rnx: job [0-9a-f]{12} ended before it was ready: FAILED/);
  });
});

describe('rnx job run -d --ready, interrupted', () => {
  it('Ctrl-C while waiting for the job to be ready stops it: exit 130, STOPPED', async () => {
    const child = spawn(
      process.execPath,
      [
        RNX_BIN,
        'job',
        'run',
        '-d',
        '--network=none',
        '--ready=tcp:9',
        '--ready-timeout=5m',
        '--',
        'sh',
        '-c',
        'echo waiting; exec sleep 300',
      ],
      { env: { ...process.env, RNX_STATE_DIR: state.dir }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    // Interrupted once the job runs (its first line is in its log), while it is not ready.
    const logs = join(state.dir, 'logs');
    await new Promise<void>((resolve) => {
      const look = (): boolean => {
        const running = readdirSync(logs).some(
          (f) => f.endsWith('.log') && readFileSync(join(logs, f), 'utf8') === 'waiting\n',
        );
        if (running) resolve();
        return running;
      };
      const watcher = watch(logs, () => {
        if (look()) watcher.close();
      });
      if (look()) watcher.close();
    });
    child.kill('SIGINT');
    assert.equal(await exited, 130, stderr);
    const id = /rnx: stopping job ([0-9a-f]{12}) \(it was not ready yet\)/.exec(stderr)?.[1];
    assert.ok(id !== undefined, stderr);
    const { record } = await finalRecord(id);
    assert.equal(record.status, 'STOPPED');
    assert.equal(record.readyAt, null);
    assert.deepEqual(leftovers(state.dir, [id], []), []);
  });
});

describe('rnx job run -d --timeout', () => {
  it('is enforced by the supervisor with no rnx running: FAILED, timeout, 124', async () => {
    const started = await detached([
      '--network=none',
      '--timeout=700ms',
      '--stop-grace=5s',
      '--',
      'sh',
      '-c',
      // A handler for the stop signal: it ends at once, well within its grace.
      "trap 'echo terminated; exit 0' TERM; echo running; while :; do sleep 0.05; done",
    ]);
    assert.equal(started.code, 0, started.stderr);
    const id = started.stdout.trim();
    const { code, record } = await finalRecord(id);
    assert.equal(code, 124);
    assert.equal(record.status, 'FAILED');
    assert.equal(record.reason, 'timeout');
    assert.equal(record.exitCode, 124);
    // (sh may say its sleep was `Terminated` first: every process of the job gets the signal)
    assert.match(
      readFileSync(`${state.dir}/logs/${id}.log`, 'utf8'),
      /^running\n(.*\n)?terminated\n$/,
    );
    assert.deepEqual(leftovers(state.dir, [id], []), []);
    assert.deepEqual(processesWith(id), [], 'no supervisor, timer or rnx of the job is left');
  });

  it('a killed supervisor leaves no timer behind once the next rnx command ran', async () => {
    const started = await detached(['--network=none', '--timeout=4322s', 'sleep', '300']);
    assert.equal(started.code, 0, started.stderr);
    const id = started.stdout.trim();
    // The supervisor: the shell named rnx-supervisor whose parent is not one (its relay's is).
    const shells = processesWith(`ends/${id}`).filter((pid) =>
      readFileSync(`/proc/${String(pid)}/cmdline`, 'utf8')
        .split('\0')
        .includes('rnx-supervisor'),
    );
    const supervisor = shells.find((pid) => {
      const stat = readFileSync(`/proc/${String(pid)}/stat`, 'utf8');
      return !shells.includes(Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    });
    assert.ok(supervisor !== undefined && shells.length === 2, 'a supervisor and its timer');
    process.kill(supervisor, 'SIGKILL');
    const next = await rnx(['job', 'list']);
    assert.equal(next.code, 0, next.stderr);
    const { record } = await finalRecord(id);
    assert.equal(record.reason, 'orphaned');
    assert.ok(
      await gone(() => [...processesWith('4322'), ...processesWith(id)]),
      'no supervisor, timer, sleep or bwrap of the job is left',
    );
    assert.deepEqual(leftovers(state.dir, [id], []), []);
  });

  it('a job that ends before its timeout leaves no timer behind', async () => {
    const started = await detached([
      '--network=none',
      '--timeout=4321s',
      '--',
      'sh',
      '-c',
      'exit 5',
    ]);
    // It may end before or after rnx has returned: either way its code is known.
    const id = /[0-9a-f]{12}/.exec(started.stdout + started.stderr)?.[0];
    assert.ok(id !== undefined, started.stderr);
    const { code, record } = await finalRecord(id);
    assert.equal(code, 5);
    assert.equal(record.reason, 'exit');
    assert.deepEqual(processesWith('4321'), [], 'the timer (sleep 4321) is gone');
    assert.deepEqual(processesWith(id), []);
  });
});
