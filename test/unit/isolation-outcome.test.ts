import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { classify, shellExitCode } from '../../src/isolation/end/outcome.js';
import { exitFromStatus } from '../../src/isolation/start/job-process.js';

const plain = { stopRequested: false, timedOut: false, oomKills: 0 };

describe('how a finished job is classified', () => {
  it('exit 0 is COMPLETED, any other code FAILED with reason exit', () => {
    assert.deepEqual(classify({ ...plain, code: 0, signal: null }), {
      status: 'COMPLETED',
      reason: 'exit',
      exitCode: 0,
      signal: null,
    });
    assert.equal(classify({ ...plain, code: 3, signal: null }).status, 'FAILED');
  });

  it('an OOM kill is FAILED with reason oom, not a bare 137', () => {
    const c = classify({ ...plain, code: null, signal: 'SIGKILL', oomKills: 1 });
    assert.equal(c.status, 'FAILED');
    assert.equal(c.reason, 'oom');
  });

  it('a job that survived an OOM kill of one child and exited 0 is COMPLETED', () => {
    assert.equal(classify({ ...plain, code: 0, signal: null, oomKills: 1 }).status, 'COMPLETED');
  });

  it('a requested stop wins over the signal that carried it out', () => {
    const c = classify({ ...plain, code: null, signal: 'SIGKILL', stopRequested: true });
    assert.equal(c.status, 'STOPPED');
    assert.equal(c.reason, 'stopped');
    assert.equal(c.signal, 'SIGKILL');
  });

  it('a timeout is FAILED with reason timeout and exit code 124, even if the job exited 0', () => {
    const killed = classify({ ...plain, code: null, signal: 'SIGKILL', timedOut: true });
    assert.equal(killed.reason, 'timeout');
    assert.equal(killed.exitCode, 124);
    const trapped = classify({ ...plain, code: 0, signal: null, timedOut: true });
    assert.deepEqual([trapped.status, trapped.exitCode], ['FAILED', 124]);
  });

  it('a command that does not exist is a start failure', () => {
    const c = classify({ ...plain, code: 127, signal: null, notFound: 'nope' });
    assert.equal(c.reason, 'start-failed');
    assert.match(c.message ?? '', /command not found: nope/);
  });

  it('gives the shell exit status: the code, or 128 + the signal number', () => {
    assert.equal(shellExitCode(42, null), 42);
    assert.equal(shellExitCode(null, 'SIGKILL'), 137);
    assert.equal(shellExitCode(null, 'SIGTERM'), 143);
    assert.equal(shellExitCode(null, 'SIGSEGV'), 139);
  });
});

describe("bwrap's exit status", () => {
  it('reads 128 + N as signal N, as a shell does, and anything else as an exit code', () => {
    assert.deepEqual(exitFromStatus(137), { code: null, signal: 'SIGKILL' });
    assert.deepEqual(exitFromStatus(143), { code: null, signal: 'SIGTERM' });
    assert.deepEqual(exitFromStatus(0), { code: 0, signal: null });
    assert.deepEqual(exitFromStatus(127), { code: 127, signal: null });
    assert.deepEqual(exitFromStatus(128), { code: 128, signal: null });
    assert.deepEqual(exitFromStatus(255), { code: 255, signal: null });
  });
});
