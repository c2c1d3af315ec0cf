/**
 * A tcp/http probe whose prober cannot even enter the job (the job's namespace is gone: it has just
 * ended) says nothing about readiness: the watch does not settle as "not ready" then, so the job's
 * own end (which cancels the watch) is what the caller reports. Before, a job that ended at once
 * was sometimes reported "not ready: nsenter: cannot open /proc/N/ns/net" (exit 1) instead of
 * "ended before it was ready" with its own exit code.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { setTimeout as delay } from 'node:timers/promises';
import { describe, it } from 'node:test';
import { monotonicMs } from '../../src/clock.js';
import { watchReadiness } from '../../src/isolation/readiness/watch.js';
import { DEFAULT_CAPABILITIES } from '../../src/isolation/start/capabilities.js';

/** The pid of a process that has ended (and been reaped). */
async function endedPid(): Promise<number> {
  const child = spawn('true', { stdio: 'ignore' });
  await once(child, 'exit');
  return child.pid ?? -1;
}

function watch(pid: number, timeoutMs: number) {
  return watchReadiness({
    ready: { probe: { kind: 'tcp', port: 9 }, intervalMs: 50, timeoutMs },
    tools: { nsenter: 'nsenter', sh: 'sh', setpriv: 'setpriv' },
    sandbox: undefined,
    pid,
    startedAt: monotonicMs(),
    env: {},
    as: { setpriv: ['setpriv'], final: { capabilities: DEFAULT_CAPABILITIES } },
    cgroupProcs: [],
  });
}

describe('readiness watch, prober cannot enter the job', () => {
  it('does not settle as not ready before the deadline; the job end cancels it', async () => {
    const w = watch(await endedPid(), 60_000);
    // nsenter fails within milliseconds; the watch must still be waiting after that.
    const first = await Promise.race([w.result.then(() => 'settled'), delay(1500, 'pending')]);
    w.cancel();
    assert.equal(first, 'pending');
  });

  it('says why at the deadline when nothing ended it', async () => {
    const w = watch(await endedPid(), 300);
    const r = await w.result;
    assert.equal(r.ready, false);
    assert.match(r.ready ? '' : r.detail, /^not ready after 300ms: .*nsenter/);
  });
});
