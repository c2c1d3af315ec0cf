/**
 * A state directory rnx cannot make (a path through a regular file, a filesystem that refuses
 * directories such as /proc) and a database another process keeps locked past the busy timeout:
 * one clear message, exit 3, no trace, and no hang.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { noStackTrace, runCli, tempDir, type CliRun } from '../helpers/cli.js';

let tmp: { dir: string; cleanup: () => void };

function assertClear(r: CliRun, code: number, message: RegExp): void {
  assert.equal(r.code, code, r.stderr);
  assert.match(r.stderr, message);
  noStackTrace(r.stderr);
  assert.ok(r.stderr.split('\n').length <= 3, r.stderr);
}

describe('a state directory rnx cannot make', () => {
  before(() => (tmp = tempDir('rnx-state-dir-')));
  after(() => tmp.cleanup());

  it('under a regular file (ENOTDIR): names the file, exit 3', async () => {
    const file = join(tmp.dir, 'a-file');
    writeFileSync(file, 'x');
    for (const args of [
      ['job', 'list'],
      ['volume', 'create', 'v'],
      ['network', 'list'],
    ]) {
      const r = await runCli(args, { stateDir: join(file, 'state') });
      assertClear(
        r,
        3,
        new RegExp(`state directory ${file}/state is under ${file}, which is a file`),
      );
    }
    const r = await runCli(['job', 'list'], { stateDir: file });
    assertClear(r, 3, /is a file, not a directory/);
  });

  it('under /sys (EPERM): refused, exit 3', async () => {
    const r = await runCli(['job', 'list'], { stateDir: `/sys/rnx-test-${String(process.pid)}` });
    assertClear(r, 3, /cannot be made: the filesystem of \/sys refuses new directories/);
  });

  it('under /proc: refused at once, exit 3, no hang', async () => {
    const dir = `/proc/rnx-test-${String(process.pid)}`;
    // Validation reads the state only for a name that is not built in: a network here.
    const networked = join(tmp.dir, 'networked.yaml');
    writeFileSync(networked, 'jobs:\n  a: { command: x, network: app }\n');
    for (const args of [
      ['job', 'list'],
      ['workflow', 'validate', networked],
    ]) {
      const r = await runCli(args, { stateDir: dir, timeoutMs: 20_000 });
      assert.equal(r.signal, null, 'rnx hung and was killed');
      assertClear(
        r,
        3,
        /state directory \/proc\/rnx-test-\d+ cannot be made: the filesystem of \/proc refuses/,
      );
    }
    // A file naming only built-ins needs no state: validated whatever the state directory is.
    const builtins = await runCli(['workflow', 'validate', 'workflows/diamond.yaml'], {
      stateDir: dir,
      timeoutMs: 20_000,
    });
    assert.equal(builtins.code, 0, builtins.stderr);
  });
});

describe('a database another process keeps locked', () => {
  before(() => (tmp = tempDir('rnx-state-busy-')));
  after(() => tmp.cleanup());

  it('past RNX_BUSY_TIMEOUT: state-busy naming the file, exit 3; once released, it works', async () => {
    const state = join(tmp.dir, 'state');
    const made = await runCli(['volume', 'create', 'first'], { stateDir: state });
    assert.equal(made.code, 0, made.stderr);
    const db = join(state, 'rnx.db');
    // A second process takes the write lock and keeps it until its stdin closes.
    const holder = spawn(
      process.execPath,
      [
        '-e',
        `const { DatabaseSync } = require('node:sqlite');
         const db = new DatabaseSync(${JSON.stringify(db)});
         db.exec('BEGIN EXCLUSIVE');
         db.exec("INSERT INTO schema_migrations (version, name) VALUES (999999, 'lock')");
         process.stdout.write('held\\n');
         process.stdin.on('end', () => { db.exec('ROLLBACK'); db.close(); }).resume();`,
      ],
      { stdio: ['pipe', 'pipe', 'inherit'] },
    );
    try {
      await new Promise<void>((resolve, reject) => {
        holder.stdout.once('data', () => resolve());
        holder.once('exit', () => reject(new Error('the lock holder ended early')));
      });
      const busy = await runCli(['volume', 'create', 'second'], {
        stateDir: state,
        env: { RNX_BUSY_TIMEOUT: '300ms' },
      });
      assertClear(busy, 3, new RegExp(`state database ${db} stayed locked by another process`));
      assert.match(busy.stderr, /RNX_BUSY_TIMEOUT/);
      assert.ok(!existsSync(join(state, 'volumes', 'second')), 'the volume was made anyway');
    } finally {
      holder.stdin.end();
      await new Promise((resolve) => holder.once('close', resolve));
    }
    const after = await runCli(['volume', 'create', 'second'], {
      stateDir: state,
      env: { RNX_BUSY_TIMEOUT: '300ms' },
    });
    assert.equal(after.code, 0, after.stderr);
  });

  it('an invalid RNX_BUSY_TIMEOUT is refused, exit 2', async () => {
    const r = await runCli(['job', 'list'], {
      stateDir: join(tmp.dir, 'state2'),
      env: { RNX_BUSY_TIMEOUT: 'soon' },
    });
    assertClear(r, 2, /RNX_BUSY_TIMEOUT 'soon' is not a duration/);
  });
});
