/**
 * Detached jobs, for real: the network guide's microservices lines (a detached backend found by
 * name from a separate `rnx job run`, id and address from --json, status, stop, wait), and a job
 * that outlives the session that started it, writes its log, exits 3, and is recorded and released
 * by its own supervisor with no further rnx command.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { RNX_BIN, runCli, tempDir } from '../helpers/cli.js';
import { leftovers } from '../helpers/leftovers.js';
import { stopEveryJob } from '../helpers/state-leftovers.js';

const state = tempDir();

before(async () => {
  const r = await runCli(['network', 'create', 'micro', '--cidr=10.46.0.0/24'], {
    stateDir: state.dir,
  });
  assert.equal(r.code, 0, r.stderr);
});

after(async () => {
  await stopEveryJob(state.dir);
  await runCli(['network', 'remove', 'micro'], { stateDir: state.dir });
  state.cleanup();
});

interface Detached {
  readonly id: string;
  readonly name: string | null;
  readonly network: string;
  readonly address: string | null;
  readonly status: string;
  readonly pid: number;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('detached jobs', () => {
  it("runs the network guide's backend in the background, found by name", async () => {
    const started = await runCli(
      [
        'job',
        'run',
        '-d',
        '--json',
        '--network=micro',
        '--name=backend',
        'python3',
        '-m',
        'http.server',
        '8000',
      ],
      { stateDir: state.dir },
    );
    assert.equal(started.code, 0, started.stderr);
    const backend = JSON.parse(started.stdout) as Detached;
    assert.match(backend.id, /^[0-9a-f]{12}$/);
    assert.equal(backend.status, 'RUNNING');
    assert.equal(backend.name, 'backend');
    assert.match(backend.address ?? '', /^10\.46\.0\.\d+$/);
    assert.ok(alive(backend.pid), 'its command runs after rnx returned');

    // A separate rnx, on the same network, fetches http://backend:8000/ by name.
    const client = await runCli(
      [
        'job',
        'run',
        '--network=micro',
        'python3',
        '-c',
        [
          'import time, urllib.request as u',
          'for attempt in range(100):',
          '    try:',
          "        print(u.urlopen('http://backend:8000/', timeout=2).status); break",
          '    except OSError:',
          '        time.sleep(0.1)',
        ].join('\n'),
      ],
      { stateDir: state.dir },
    );
    assert.equal(client.code, 0, client.stderr);
    assert.equal(client.stdout.trim(), '200');

    const status = await runCli(['job', 'status', backend.id, '--json'], { stateDir: state.dir });
    assert.equal((JSON.parse(status.stdout) as { status: string }).status, 'RUNNING');

    const metrics = await runCli(['job', 'metrics', backend.id, '--json'], { stateDir: state.dir });
    assert.equal(metrics.code, 0, metrics.stderr);
    const used = JSON.parse(metrics.stdout) as { memoryBytes: number; processes: number };
    assert.ok(used.memoryBytes > 0, metrics.stdout);
    assert.equal(used.processes, 1);

    const stopped = await runCli(['job', 'stop', backend.id, '--grace=2s'], {
      stateDir: state.dir,
    });
    assert.equal(stopped.code, 0, stopped.stderr);
    assert.equal(stopped.stdout.trim(), `${backend.id} STOPPED`);

    const waited = await runCli(['job', 'wait', backend.id, '--json'], { stateDir: state.dir });
    const final = JSON.parse(waited.stdout) as {
      status: string;
      signal: string | null;
      memoryPeakBytes: number;
      cpuSeconds: number;
    };
    assert.ok(final.memoryPeakBytes >= used.memoryBytes, 'its peak memory is kept');
    assert.ok(final.cpuSeconds > 0, 'its CPU time is kept');
    assert.equal(final.status, 'STOPPED');
    // python is the job's PID 1 with no SIGTERM handler: the stop ends it with SIGKILL.
    assert.equal(waited.code, 137, waited.stderr);
    assert.equal(final.signal, 'SIGKILL');
    assert.deepEqual(leftovers(state.dir, [backend.id], [backend.pid]), []);
    const log = readFileSync(`${state.dir}/logs/${backend.id}.log`, 'utf8');
    assert.match(log, /"GET \/ HTTP\/1\.1" 200/);
  });

  it('outlives the session that started it; its supervisor records the end and releases it', async () => {
    // A session of its own, as a terminal's: the shell starts the detached job, prints its id,
    // and then the whole session gets SIGHUP, as when its terminal closes.
    const session = spawn(
      'setsid',
      [
        '--wait',
        'sh',
        '-c',
        `"$0" "$1" job run -d --network=micro -s TOKEN=hunter2 sh -c 'echo started $TOKEN; sleep 1; echo done; exit 3'; kill -HUP 0; sleep 5`,
        process.execPath,
        RNX_BIN,
      ],
      { env: { ...process.env, RNX_STATE_DIR: state.dir }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    session.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    const code = await new Promise<number | null>((resolve) =>
      session.on('close', (c, signal) => resolve(c ?? (signal === 'SIGHUP' ? -1 : null))),
    );
    assert.equal(code, -1, 'the session ended by SIGHUP');
    const id = out.trim();
    assert.match(id, /^[0-9a-f]{12}$/);

    const waited = await runCli(['job', 'wait', id, '--json'], { stateDir: state.dir });
    assert.equal(waited.code, 3, waited.stderr);
    const final = JSON.parse(waited.stdout) as { status: string; reason: string; pid: number };
    assert.equal(final.status, 'FAILED');
    // Recorded by its supervisor at its end, not cleaned up later as an orphan.
    assert.equal(final.reason, 'exit');
    assert.equal(readFileSync(`${state.dir}/logs/${id}.log`, 'utf8'), 'started ***\ndone\n');
    assert.deepEqual(leftovers(state.dir, [id], [final.pid]), []);
  });
});
