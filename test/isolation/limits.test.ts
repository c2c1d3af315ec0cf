import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { cgroupLayout } from '../../src/isolation/cgroups/layout.js';
import { jobSpec, processExists, run, sh, sleep } from './job-rig.js';

/** The job's cgroup directory for a controller, as the runner names it. */
function jobCgroupDir(jobId: string, controller: 'cpu' | 'pids'): string {
  const layout = cgroupLayout();
  const own = layout.version === 'v1' ? layout.v1[controller] : layout.unified;
  return join(own ?? '', `rnx-${jobId}`);
}

function statValue(text: string, key: string): number {
  return Number(new RegExp(`^${key} (\\d+)$`, 'm').exec(text)?.[1] ?? NaN);
}

describe('cgroup limits on the whole job', () => {
  it('ends a job over its memory limit as FAILED with reason oom', async () => {
    const { result } = await run(
      jobSpec('python3', ['-c', 'b = bytearray(256 * 1024 * 1024); print("survived")'], {
        resources: { maxMemory: 32 * 1024 * 1024 },
      }),
    );
    assert.equal(result.status, 'FAILED');
    assert.equal(result.reason, 'oom');
    assert.equal(result.signal, 'SIGKILL');
  });

  it('throttles CPU to the quota (the cgroup counts throttled periods)', async () => {
    const spec = jobSpec('python3', [
      '-c',
      [
        'import time',
        's, c = time.time(), time.process_time()',
        'while time.time() - s < 0.6: pass',
        // The marker the test reads the cgroup's counters on: the job has been busy a while.
        'print("busy", flush=True)',
        'while time.time() - s < 1.0: pass',
        'print((time.process_time() - c) / (time.time() - s))',
      ].join('\n'),
    ]);
    let stat = '';
    const limited = { ...spec, resources: { maxCpu: 20 } };
    const ran = run(limited, {
      onStdout: (chunk) => {
        if (stat === '' && chunk.toString().includes('busy')) {
          stat = readFileSync(join(jobCgroupDir(spec.id, 'cpu'), 'cpu.stat'), 'utf8');
        }
      },
    });
    const { result, stdout } = await ran;
    assert.equal(result.status, 'COMPLETED');
    const share = Number(stdout.trim().split('\n').at(-1));
    assert.ok(share < 0.4, `the job got ${String(share)} of a core with a 20% quota`);
    assert.ok(statValue(stat, 'nr_throttled') > 0, stat);
  });

  it('pins a job to the CPUs asked for', async () => {
    const { stdout } = await run(
      sh('grep Cpus_allowed_list /proc/self/status', { resources: { cpuCores: '1' } }),
    );
    assert.match(stdout, /Cpus_allowed_list:\s+1$/m);
  });

  it('stops a fork bomb at the process limit', async () => {
    const stop = new AbortController();
    let current = NaN;
    let events = '';
    const spec = jobSpec(
      'python3',
      ['-c', 'import os, time\nos.system("bash -c \':(){ :|:& };:\' 2>/dev/null")\ntime.sleep(30)'],
      { resources: { maxProcesses: 16 } },
    );
    const ran = run(
      spec,
      {
        signal: stop.signal,
        onStarted: () => {
          // Until the kernel refused a fork (pids.events max), checked as often as it allows.
          void (async () => {
            const dir = jobCgroupDir(spec.id, 'pids');
            for (let i = 0; i < 15_000 && !(statValue(events, 'max') > 0); i++) {
              await sleep(2);
              events = readFileSync(join(dir, 'pids.events'), 'utf8');
            }
            current = Number(readFileSync(join(dir, 'pids.current'), 'utf8'));
            stop.abort();
          })();
        },
      },
      { graceMs: 500 },
    );
    const { result } = await ran;
    assert.ok(current <= 16, `pids.current ${String(current)}`);
    assert.ok(statValue(events, 'max') > 0, `forks were refused: ${events}`);
    assert.equal(result.status, 'STOPPED');
    assert.equal(existsSync(jobCgroupDir(spec.id, 'pids')), false);
  });

  it('slows direct writes to the io limit', async () => {
    // The host's root is read-only in a job: write to its workspace (on the state directory's disk).
    const dd = 'dd if=/dev/zero of=/work/f bs=64k count=48 oflag=direct 2>&1 | tail -1';
    const limited = await run(sh(dd, { resources: { maxIoBps: 1024 * 1024 } }));
    const free = await run(sh(dd));
    const rate = (text: string): number => {
      const m = /^(\d+) bytes .* copied, ([\d.]+) s/m.exec(text);
      return m ? Number(m[1]) / Number(m[2]) : NaN;
    };
    const slow = rate(limited.stdout);
    const fast = rate(free.stdout);
    assert.ok(slow <= 1.5 * 1024 * 1024, `limited to 1 MiB/s, wrote at ${String(slow)} B/s`);
    assert.ok(fast > 2 * slow, `unlimited ${String(fast)} B/s vs limited ${String(slow)} B/s`);
  });

  it('removes the job cgroups when the job ends, and leaves no process', async () => {
    const spec = sh('sleep 0.2 & echo started', { resources: { maxMemory: 64 << 20, maxCpu: 50 } });
    const { result, started } = await run(spec);
    assert.equal(result.status, 'COMPLETED');
    assert.equal(existsSync(jobCgroupDir(spec.id, 'pids')), false);
    assert.equal(existsSync(jobCgroupDir(spec.id, 'cpu')), false);
    assert.equal(started !== undefined && processExists(started.pid), false);
  });
});
