/**
 * An exec probe waits while the job's PID 1 is still the sandbox tool: it is recognised by the
 * executable's device and inode, whatever path or mount namespace it is seen through.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, it } from 'node:test';
import { stillSettingUp } from '../../src/isolation/readiness/exec-probe.js';

describe('stillSettingUp', () => {
  it('is true while the process runs the given executable, false for another or none', async () => {
    const child = spawn('sleep', ['30'], { stdio: 'ignore' });
    await once(child, 'spawn');
    const pid = child.pid ?? -1;
    try {
      assert.equal(stillSettingUp(pid, '/usr/bin/sleep'), true);
      assert.equal(stillSettingUp(pid, '/bin/sleep'), true, 'the same file through a symlink');
      assert.equal(stillSettingUp(pid, '/usr/bin/env'), false);
      assert.equal(stillSettingUp(pid, undefined), false);
      assert.equal(stillSettingUp(pid, '/nonexistent/bwrap'), false);
    } finally {
      child.kill('SIGKILL');
      await once(child, 'exit');
    }
    assert.equal(stillSettingUp(pid, '/usr/bin/sleep'), false, 'the process is gone');
  });
});
