/**
 * A descriptor rnx inherited from its caller (a shell's `251</tmp`, a CI runner's leaked pipe) is
 * not passed on to the job: before, a job could read the host's /tmp through /proc/self/fd/N.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { mayStartProcesses } from '../../src/launch/inherited-fds.js';
import { collectRun, RNX_BIN, tempDir } from '../helpers/cli.js';

const scratch = tempDir('rnx-test-fds-');

/** stdin ignored, stdout piped, stderr piped, then nothing up to fd `upTo`. */
function stdio(upTo: number): ('ignore' | 'pipe')[] {
  return ['ignore', 'pipe', 'pipe', ...Array<'ignore'>(upTo - 3).fill('ignore')];
}
after(() => scratch.cleanup());

describe('descriptors rnx inherited', () => {
  it('are not seen by the job: neither an open directory nor a file', async () => {
    const secret = join(scratch.dir, 'host-only');
    mkdirSync(secret);
    writeFileSync(join(secret, 'marker'), 'host\n');
    const dirFd = openSync(secret, 'r');
    const fileFd = openSync(join(secret, 'marker'), 'r');
    try {
      const child = spawn(
        process.execPath,
        [
          RNX_BIN,
          'job',
          'run',
          '--network=none',
          '--',
          'sh',
          '-c',
          'for f in /proc/self/fd/*; do echo "$f $(readlink "$f")"; done; cat /proc/self/fd/40/marker /proc/self/fd/41 2>&1; true',
        ],
        {
          env: { ...process.env, RNX_STATE_DIR: join(scratch.dir, 'state'), NO_COLOR: '1' },
          // fd 40 and 41 of rnx, as a shell's `40<DIR`: inherited, not close-on-exec. (Node
          // itself makes low ones, up to about 30, close-on-exec at its start.)
          stdio: [...stdio(40), dirFd, fileFd],
        },
      );
      const run = await collectRun(child);
      assert.equal(run.code, 0, run.stderr);
      assert.doesNotMatch(run.stdout, /host-only/, run.stdout);
      assert.doesNotMatch(run.stdout, /^host$/m, run.stdout);
    } finally {
      closeSync(dirFd);
      closeSync(fileFd);
    }
  });

  it("are closed, while close-on-exec ones (Node's own) and stdio stay", async () => {
    // A child Node with fd 40 inherited (and whatever this test's own runner inherited).
    const script = `
      const { closeInheritedFds } = await import(${JSON.stringify(new URL('../../src/launch/inherited-fds.js', import.meta.url).href)});
      const fs = await import('node:fs');
      const before = fs.readdirSync('/proc/self/fd').length;
      const closed = closeInheritedFds();
      const after = fs.readdirSync('/proc/self/fd').length;
      process.stdout.write(JSON.stringify({ closed, fewer: before - after }));
    `;
    const fd = openSync(scratch.dir, 'r');
    let child;
    try {
      child = spawn(process.execPath, ['--input-type=module', '-e', script], {
        stdio: [...stdio(40), fd],
      });
    } finally {
      closeSync(fd);
    }
    const run = await collectRun(child);
    assert.equal(run.code, 0, run.stderr);
    const { closed, fewer } = JSON.parse(run.stdout) as { closed: number[]; fewer: number };
    assert.ok(closed.includes(40), run.stdout);
    assert.equal(fewer, closed.length, "only those: stdio and Node's own stay");
  });

  it('are left alone only by the commands that start no process', () => {
    for (const argv of [
      ['workflow', 'validate', 'f.yaml'],
      ['workflow', 'graph', 'f.yaml'],
      ['workflow', 'export', 'f.yaml'],
      ['--version'],
      ['help'],
    ]) {
      assert.equal(mayStartProcesses(argv), false, argv.join(' '));
    }
    for (const argv of [
      ['job', 'run', 'true'],
      ['job', 'run', '--workflow=f.yaml'],
      ['workflow', 'rerun', 'x'],
      ['system', 'check'],
      ['workflow'],
      ['validate', 'workflow'],
      [],
    ]) {
      assert.equal(mayStartProcesses(argv), true, argv.join(' '));
    }
  });
});
