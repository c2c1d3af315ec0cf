/**
 * What a command wrote to the state database is durable when it exits: the records are in SQLite's
 * write-ahead log (synchronous = NORMAL writes a commit there without syncing it), which rnx syncs
 * once when it has nothing left to do, and keeps (src/state/database.ts syncSharedDatabases): no
 * checkpoint into rnx.db at every exit, and no log made anew, with its syncs, by the next command.
 * Seen from outside, as the kernel sees it: strace of the writes and syncs of `rnx job run`.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { after, describe, it } from 'node:test';
import { LOG_FOLD_BYTES } from '../../src/state/database.js';
import { runCli, tempDir } from '../helpers/cli.js';
import { straceEach } from '../helpers/strace.js';

const state = tempDir('rnx-durable-log-');
const traces = tempDir('rnx-durable-log-traces-');
const grown = tempDir('rnx-durable-log-grown-');
after(() => {
  state.cleanup();
  traces.cleanup();
  grown.cleanup();
});

/** The job's id, and the strace lines of the one process of `rnx job run` that opened the database. */
async function tracedJobRun(): Promise<{ id: string; lines: string[] }> {
  const r = await runCli(['job', 'run', '--network=none', '--json', 'true'], {
    stateDir: state.dir,
    prefix: straceEach(traces.dir, 'openat,pwrite64,write,fsync,fdatasync,unlink,unlinkat,rename'),
  });
  assert.equal(r.code, 0, r.stderr);
  const { id } = JSON.parse(r.stdout) as { id: string };
  const database = JSON.stringify(join(state.dir, 'rnx.db'));
  const rnx = readdirSync(traces.dir)
    .map((name) => readFileSync(join(traces.dir, name), 'utf8').split('\n'))
    .filter((lines) => lines.some((line) => line.includes(`${database},`)));
  assert.equal(rnx.length, 1, 'one process opens the database');
  return { id, lines: rnx[0] ?? [] };
}

describe('the state database at exit', () => {
  it('rnx job run syncs its log once, after its last write, and keeps the log', async () => {
    // A first command makes the database and its log.
    const first = await runCli(['job', 'run', '--network=none', 'true'], { stateDir: state.dir });
    assert.equal(first.code, 0, first.stderr);
    const { id, lines } = await tracedJobRun();
    const log = join(state.dir, 'rnx.db-wal');
    // `openat(AT_FDCWD, "PATH", FLAGS) = FD`
    const fdsOf = (path: string): Set<string> =>
      new Set(
        lines
          .filter((line) => line.includes(`${JSON.stringify(path)},`))
          .map((line) => /= (\d+)$/.exec(line)?.[1])
          .filter((fd): fd is string => fd !== undefined),
      );
    const logFds = fdsOf(log);
    const dbFds = fdsOf(join(state.dir, 'rnx.db'));
    // `CALL(FD, ...`: the calls on a file descriptor, in order.
    const calls = lines.map((line) => {
      const [, call = '', fd = ''] = /^(\w+)\((\d+)[,)]/.exec(line) ?? [];
      return { call, fd };
    });
    const writesToLog = calls.flatMap((c, i) =>
      c.call === 'pwrite64' && logFds.has(c.fd) ? [i] : [],
    );
    const syncs = calls.flatMap((c, i) => (/^f(data)?sync$/.test(c.call) ? [{ i, ...c }] : []));
    assert.ok(writesToLog.length > 0, 'the records are written to the log');
    // One sync, of the log, after the last record; none of rnx.db (no checkpoint).
    assert.equal(syncs.length, 1, lines.filter((line) => /sync\(/.test(line)).join('\n'));
    const sync = syncs[0];
    assert.ok(sync !== undefined && logFds.has(sync.fd), "the sync is the log's");
    assert.ok((writesToLog.at(-1) ?? Infinity) < sync.i, 'nothing is written to it after the sync');
    assert.ok(
      calls.every((c) => c.call !== 'pwrite64' || !dbFds.has(c.fd)),
      'rnx.db itself is not written',
    );
    assert.equal(lines.filter((line) => line.includes(`unlink("${log}")`)).length, 0);
    assert.ok(existsSync(log));
    // The next reader finds the job's end.
    const db = new DatabaseSync(join(state.dir, 'rnx.db'), { readOnly: true });
    try {
      const row = db.prepare('SELECT status, held FROM jobs WHERE id = ?').get(id) as {
        status: string;
        held: number;
      };
      assert.deepEqual({ ...row }, { status: 'COMPLETED', held: 0 });
    } finally {
      db.close();
    }
  });

  it('a log grown past 1 MiB is folded into rnx.db at exit and removed', async () => {
    const dir = grown.dir;
    const first = await runCli(['job', 'run', '--network=none', '--json', 'true'], {
      stateDir: dir,
    });
    assert.equal(first.code, 0, first.stderr);
    const { id } = JSON.parse(first.stdout) as { id: string };
    const file = join(dir, 'rnx.db');
    // Another process writes 2 MiB through the log and ends without closing, as rnx does.
    execFileSync(process.execPath, [
      '-e',
      `const { DatabaseSync } = require('node:sqlite');
       const db = new DatabaseSync(${JSON.stringify(file)});
       db.exec('PRAGMA wal_autocheckpoint = 0; CREATE TABLE scratch (b BLOB)');
       db.prepare('INSERT INTO scratch VALUES (?)').run(Buffer.alloc(2 * 1024 * 1024));
       db.exec('DROP TABLE scratch');
       process.exit(0);`,
    ]);
    const log = `${file}-wal`;
    assert.ok(statSync(log).size > LOG_FOLD_BYTES);
    const list = await runCli(['job', 'list'], { stateDir: dir });
    assert.equal(list.code, 0, list.stderr);
    assert.equal(existsSync(log), false);
    // The job's record is in the file itself now.
    const db = new DatabaseSync(file, { readOnly: true });
    try {
      assert.deepEqual(
        { ...(db.prepare('SELECT status FROM jobs WHERE id = ?').get(id) as object) },
        { status: 'COMPLETED' },
      );
    } finally {
      db.close();
    }
  });
});
