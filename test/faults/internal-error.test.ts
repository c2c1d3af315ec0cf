/**
 * The catch-all around rnx's main: an exception nothing expected is one line naming it, exit 70,
 * no trace unless RNX_DEBUG=1; what a command holds is released as on SIGTERM before rnx exits.
 *
 * The real path: rnx started in a directory that was removed (process.cwd() throws ENOENT, a fault
 * of the surroundings no command maps). The release: a rig whose child imports the CLI's own
 * handlers, holds something through the stop-signal registry as a running job does, and throws.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { collectRun, REPO_ROOT, RNX_BIN, tempDir, type CliRun } from '../helpers/cli.js';

let tmp: { dir: string; cleanup: () => void };

function run(argv: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<CliRun> {
  const child = spawn(argv[0] ?? '', argv.slice(1), {
    env: { ...process.env, NO_COLOR: '1', RNX_STATE_DIR: join(tmp.dir, 'state'), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 60_000,
  });
  return collectRun(child);
}

/** `rnx ARGS` started inside a directory removed just before (sh keeps it as its cwd). */
function rnxInRemovedDir(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<CliRun> {
  const dir = join(tmp.dir, `gone-${String(Math.random()).slice(2)}`);
  mkdirSync(dir);
  const quoted = args.map((a) => `'${a}'`).join(' ');
  return run(
    [
      'sh',
      '-c',
      `cd '${dir}' && rmdir '${dir}' && exec '${process.execPath}' '${RNX_BIN}' ${quoted}`,
    ],
    env,
  );
}

const ONE_LINE =
  /^rnx: internal error \(.*\): Error: ENOENT: process\.cwd failed.*RNX_DEBUG=1 shows its stack trace\n$/;

describe('internal errors', () => {
  before(() => (tmp = tempDir('rnx-internal-')));
  after(() => tmp.cleanup());

  it('an unexpected exception is one line, exit 70, no stack trace', async () => {
    const r = await rnxInRemovedDir(['workflow', 'validate', 'some.yaml']);
    assert.equal(r.code, 70, r.stderr);
    assert.match(r.stderr, ONE_LINE);
    assert.doesNotMatch(r.stderr, /\n\s+at /);
  });

  it('RNX_DEBUG=1 shows the stack trace, in the source files and lines of the minified bundle', async () => {
    const r = await rnxInRemovedDir(['workflow', 'validate', 'some.yaml'], { RNX_DEBUG: '1' });
    assert.equal(r.code, 70, r.stderr);
    assert.match(r.stderr, /its stack trace follows\nError: ENOENT[^\n]*\n\s+at /);
    // Through dist/rnx/main.cjs.map: the command's own file and line, not main.cjs:1.
    assert.match(r.stderr, /\n\s+at .*\/src\/cli\/commands\/workflow\/validate\.ts:\d+:\d+\)/);
    assert.doesNotMatch(r.stderr, /main\.cjs:/);
  });

  it('--version and --help need no working directory', async () => {
    for (const args of [['--version'], ['--help']]) {
      const r = await rnxInRemovedDir(args);
      assert.equal(r.code, 0, r.stderr);
    }
  });

  /** A child that holds something as a running job does, then meets `fault`. */
  const rig = (fault: string): Promise<CliRun> => {
    const cli = join(REPO_ROOT, 'dist', 'src', 'cli');
    const program = `
      const { catchInternalErrors } = await import('${cli}/internal-error.js');
      const { onStopSignal } = await import('${cli}/process-signals.js');
      catchInternalErrors({ stderr: process.stderr, env: process.env });
      const held = setInterval(() => {}, 1000);
      const off = onStopSignal((signal) => {
        // The release takes a while, as stopping a job does; then nothing holds the process.
        setTimeout(() => { process.stdout.write('released on ' + signal + '\\n'); off(); clearInterval(held); }, 200);
      });
      setTimeout(() => { ${fault} }, 10);
    `;
    return run([process.execPath, '--input-type=module', '-e', program]);
  };

  it('what is held is released as on SIGTERM, then exit 70', async () => {
    const r = await rig(`throw new TypeError('boom')`);
    assert.equal(r.code, 70, r.stderr);
    assert.equal(r.stdout, 'released on SIGTERM\n');
    assert.match(r.stderr, /^rnx: internal error \(.*\): TypeError: boom; RNX_DEBUG=1 shows/);
    assert.equal(r.stderr.split('\n').length, 2, r.stderr);
  });

  it('an unhandled rejection too', async () => {
    const r = await rig(`void Promise.reject(new RangeError('no'))`);
    assert.equal(r.code, 70, r.stderr);
    assert.equal(r.stdout, 'released on SIGTERM\n');
    assert.match(r.stderr, /RangeError: no/);
  });
});
