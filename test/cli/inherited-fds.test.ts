/**
 * A descriptor rnx inherited from its caller (a shell's `251</tmp`, a CI runner's leaked pipe) is
 * not passed on to the job: before, a job could read the host's /tmp through /proc/self/fd/N.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { mayStartProcesses } from '../../src/launch/inherited-fds.js';
import { collectRun, RNX_BIN, runCli, tempDir } from '../helpers/cli.js';

const scratch = tempDir('rnx-test-fds-');

/** stdin ignored, stdout piped, stderr piped, then nothing up to fd `upTo`. */
function stdio(upTo: number): ('ignore' | 'pipe')[] {
  return ['ignore', 'pipe', 'pipe', ...Array<'ignore'>(upTo - 3).fill('ignore')];
}
after(() => scratch.cleanup());

describe('descriptors rnx inherited', () => {
  it('are not seen by the job: neither an open directory nor a file, read or written', async () => {
    const secret = join(scratch.dir, 'host-only');
    mkdirSync(secret);
    writeFileSync(join(secret, 'marker'), 'host\n');
    const dirFd = openSync(secret, 'r');
    const fileFd = openSync(join(secret, 'marker'), 'r');
    // Kept open by rnx (V8's own logs are such files), closed by rnx-sandbox at the job's exec.
    const logFd = openSync(join(secret, 'written.log'), 'a');
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
          stdio: [...stdio(40), dirFd, fileFd, logFd],
        },
      );
      const run = await collectRun(child);
      assert.equal(run.code, 0, run.stderr);
      assert.doesNotMatch(run.stdout, /host-only/, run.stdout);
      assert.doesNotMatch(run.stdout, /^host$/m, run.stdout);
    } finally {
      closeSync(dirFd);
      closeSync(fileFd);
      closeSync(logFd);
    }
  });

  it("leave V8's own log open: node --logfile does not write into rnx's database", async () => {
    const state = join(scratch.dir, 'logged-state');
    const log = join(scratch.dir, 'v8.log');
    const env = { ...process.env, RNX_STATE_DIR: state, NO_COLOR: '1' };
    // V8 opens its log without close-on-exec; closed as inherited, its number went to the state
    // database, and V8's lines went into it: the next command found the database damaged.
    for (let i = 0; i < 3; i++) {
      const child = spawn(
        process.execPath,
        [
          `--logfile=${log}`,
          '--no-logfile-per-isolate',
          '--log-function-events',
          RNX_BIN,
          'job',
          'run',
          '--network=none',
          'true',
        ],
        { env, stdio: ['ignore', 'pipe', 'pipe'] },
      );
      const run = await collectRun(child);
      assert.equal(run.code, 0, run.stderr);
    }
    const listed = await runCli(['job', 'list', '--json'], { stateDir: state });
    assert.equal(listed.code, 0, listed.stderr);
    const jobs = JSON.parse(listed.stdout) as { status: string }[];
    assert.deepEqual(
      jobs.map((job) => job.status),
      ['COMPLETED', 'COMPLETED', 'COMPLETED'],
    );
    // Still written after rnx's start: the bundle, compiled once rnx had looked at its descriptors.
    assert.match(readFileSync(log, 'utf8'), /main\.cjs/);
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
