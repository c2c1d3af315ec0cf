import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { cgroupName } from '../../src/isolation/cgroups/job-cgroup.js';
import { cgroupLayout } from '../../src/isolation/cgroups/layout.js';
import { jobSpec, processExists, run } from './job-rig.js';

function jobProcesses(jobId: string): number[] {
  const layout = cgroupLayout();
  const dir = join(
    (layout.version === 'v1' ? layout.v1.pids : layout.unified) ?? '',
    `rnx-${jobId}`,
  );
  return readFileSync(join(dir, 'cgroup.procs'), 'utf8').trim().split('\n').map(Number);
}

describe('stopping a job', () => {
  it('stops the whole tree, background children included', async () => {
    const stop = new AbortController();
    const spec = jobSpec('bash', ['-c', 'sleep 100 & (sleep 200 &); sleep 300 & echo up; wait']);
    let pids: number[] = [];
    const { result } = await run(spec, {
      signal: stop.signal,
      // Once the job said its children are started.
      onStdout: (chunk) => {
        if (!chunk.toString().includes('up')) return;
        pids = jobProcesses(spec.id);
        stop.abort();
      },
    });
    assert.equal(result.status, 'STOPPED');
    assert.equal(result.reason, 'stopped');
    assert.ok(pids.length >= 4, `the job had ${String(pids.length)} processes`);
    assert.deepEqual(pids.filter(processExists), []);
  });

  it('gives a job that handles SIGTERM its grace period to finish', async () => {
    const stop = new AbortController();
    const { result, stdout } = await run(
      jobSpec('bash', [
        '-c',
        'trap "echo cleaning up; exit 0" TERM; echo trapped; while :; do sleep 0.05; done',
      ]),
      {
        signal: stop.signal,
        onStdout: (chunk) => {
          if (chunk.toString().includes('trapped')) stop.abort();
        },
      },
      { graceMs: 5000 },
    );
    assert.equal(result.status, 'STOPPED');
    assert.equal(result.exitCode, 0);
    assert.match(stdout, /cleaning up/);
  });

  it('kills a PID 1 without a SIGTERM handler without waiting out the grace period', async () => {
    const stop = new AbortController();
    const started = performance.now();
    const { result } = await run(
      jobSpec('sleep', ['100']),
      { signal: stop.signal, onStarted: () => stop.abort() },
      { graceMs: 60_000 },
    );
    assert.equal(result.status, 'STOPPED');
    assert.equal(result.signal, 'SIGKILL');
    assert.ok(performance.now() - started < 30_000);
  });

  it('kills a PID 1 without a handler that outlives its other processes when the grace period is over', async () => {
    // python (PID 1, no SIGTERM handler) has a child that takes the signal and ends a moment
    // later; PID 1 itself never ends by itself (it sleeps on, its child unreaped), so the stop,
    // which waits for a PID 1 to end by itself as a shell would (stop-slow-init.test.ts), kills it
    // once the grace period is over.
    const stop = new AbortController();
    const { result, stdout } = await run(
      jobSpec('python3', [
        '-c',
        [
          'import subprocess, sys, time',
          "child = subprocess.Popen(['sh', '-c', 'trap \"sleep 0.3; echo child done; exit 0\" TERM; echo child up; while :; do sleep 0.05; done'])",
          'time.sleep(300)',
        ].join('\n'),
      ]),
      {
        signal: stop.signal,
        onStdout: (chunk) => {
          if (chunk.toString().includes('child up')) stop.abort();
        },
      },
      { graceMs: 3000 },
    );
    assert.equal(result.status, 'STOPPED');
    assert.equal(result.signal, 'SIGKILL');
    assert.match(stdout, /child done/, 'its child was given the time it took');
  });

  it('kills at once on the kill signal even while the job ignores SIGTERM', async () => {
    const stop = new AbortController();
    const kill = new AbortController();
    const { result } = await run(
      jobSpec('bash', [
        '-c',
        'trap "echo ignoring TERM" TERM; echo trapped; while :; do sleep 0.05; done',
      ]),
      {
        signal: stop.signal,
        killSignal: kill.signal,
        // Stopped once its trap is set; killed once it said it ignores the stop.
        onStdout: (chunk) => {
          const text = chunk.toString();
          if (text.includes('trapped')) stop.abort();
          if (text.includes('ignoring TERM')) kill.abort();
        },
      },
      { graceMs: 60_000 },
    );
    assert.equal(result.status, 'STOPPED');
    assert.equal(result.signal, 'SIGKILL');
  });

  it('ends a job that runs past its timeout as FAILED with reason timeout', async () => {
    const spec = jobSpec('sleep', ['100'], { timeoutMs: 300 });
    const { result } = await run(spec);
    assert.equal(result.status, 'FAILED');
    assert.equal(result.reason, 'timeout');
    assert.equal(existsSync(join(cgroupLayout().v1.pids ?? '', `rnx-${spec.id}`)), false);
  });

  it('propagates exit codes and 128 + signal', async () => {
    const exited = await run(jobSpec('sh', ['-c', 'exit 42']));
    assert.equal(exited.result.exitCode, 42);
    assert.equal(exited.result.status, 'FAILED');
    const crashed = await run(jobSpec('bash', ['-c', 'ulimit -s 256; f() { f; }; f']));
    assert.equal(crashed.result.signal, 'SIGSEGV');
    assert.equal(crashed.result.reason, 'signal');
  });

  it('fails a command that does not exist as a start failure, exit 127, its cgroups removed', async () => {
    const spec = jobSpec('no-such-command-xyz', []);
    const { result } = await run(spec);
    assert.equal(result.reason, 'start-failed');
    assert.equal(result.exitCode, 127);
    assert.match(result.message ?? '', /command not found: no-such-command-xyz/);
    // Made at the start's outset, before the command was looked for.
    const layout = cgroupLayout();
    const parents = [
      ...Object.values(layout.v1),
      ...(layout.unified === undefined ? [] : [layout.unified]),
    ];
    assert.ok(parents.length > 0);
    assert.deepEqual(
      parents.map((p) => join(p, cgroupName(spec.id))).filter((d) => existsSync(d)),
      [],
    );
  });
});
