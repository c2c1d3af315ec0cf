/**
 * Migrations of the state database (src/state/database.ts): applied once, the set of them stamped
 * in the file's header so that a later open reads nothing else, and a database of another rnx
 * (more migrations, or fewer) handled as the migrations table says.
 */
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { migrationStamp, openDatabase, type Database } from '../../src/state/database.js';
import type { Migration } from '../../src/state/migrations.js';
import { tempDir } from '../helpers/cli.js';

const tmp = tempDir('rnx-migrations-');
after(() => tmp.cleanup());

const first: Migration = { version: 1, name: 'one', sql: 'CREATE TABLE one (x INTEGER) STRICT;' };
const second: Migration = { version: 7, name: 'two', sql: 'CREATE TABLE two (x INTEGER) STRICT;' };
const other: Migration = {
  version: 8,
  name: 'other',
  sql: 'CREATE TABLE other (x INTEGER) STRICT;',
};

let count = 0;
function freshDir(): string {
  const dir = join(tmp.dir, String(count++));
  mkdirSync(dir);
  return dir;
}

function withDb<T>(dir: string, migrations: readonly Migration[], use: (db: Database) => T): T {
  const db = openDatabase(dir, migrations);
  try {
    return use(db);
  } finally {
    db.close();
  }
}

const stampOf = (db: Database): unknown =>
  (db.prepare('PRAGMA user_version').get() as { user_version: unknown }).user_version;
const versionsOf = (db: Database): unknown[] =>
  db
    .prepare('SELECT version FROM schema_migrations ORDER BY version')
    .all()
    .map((row) => row['version']);

describe('state database migrations', () => {
  it('stamps differ between sets, and a larger set never shares a smaller one’s stamp', () => {
    const a = migrationStamp([first]);
    const b = migrationStamp([first, second]);
    const c = migrationStamp([first, other]);
    assert.equal(migrationStamp([second, first]), b);
    assert.notEqual(a, b);
    assert.notEqual(b, c);
    for (const stamp of [a, b, c]) assert.ok(stamp > 0 && stamp < 2 ** 31);
  });

  it('applies the migrations and stamps the set; an open with the stamp reads nothing else', () => {
    const dir = freshDir();
    withDb(dir, [first, second], (db) => {
      assert.deepEqual(versionsOf(db), [1, 7]);
      assert.equal(stampOf(db), migrationStamp([first, second]));
      // Were the table looked at again, both migrations would run again and fail.
      db.exec('DELETE FROM schema_migrations');
    });
    withDb(dir, [first, second], (db) => assert.deepEqual(versionsOf(db), []));
  });

  it('a database made before stamps is stamped at its next open, with nothing applied again', () => {
    const dir = freshDir();
    withDb(dir, [first], (db) => db.exec('PRAGMA user_version = 0'));
    withDb(dir, [first], (db) => {
      assert.deepEqual(versionsOf(db), [1]);
      assert.equal(stampOf(db), migrationStamp([first]));
    });
  });

  it('a later set applies what is new and takes its own stamp', () => {
    const dir = freshDir();
    withDb(dir, [first], () => undefined);
    withDb(dir, [first, second], (db) => {
      assert.deepEqual(versionsOf(db), [1, 7]);
      assert.equal(stampOf(db), migrationStamp([first, second]));
      db.prepare('INSERT INTO two (x) VALUES (1)').run();
    });
  });

  it('an earlier set opens a later database as it is, and leaves its stamp', () => {
    const dir = freshDir();
    withDb(dir, [first, second], () => undefined);
    withDb(dir, [first], (db) => {
      assert.deepEqual(versionsOf(db), [1, 7]);
      assert.equal(stampOf(db), migrationStamp([first, second]));
    });
  });

  it('sets that went apart each find theirs applied; a stamp stays true of its own set', () => {
    const dir = freshDir();
    withDb(dir, [first, second], () => undefined);
    withDb(dir, [first, other], (db) => {
      assert.deepEqual(versionsOf(db), [1, 7, 8]);
      // Not the other set's stamp: that database has a migration the set does not name.
      assert.equal(stampOf(db), migrationStamp([first, second]));
      db.prepare('INSERT INTO other (x) VALUES (1)').run();
    });
    withDb(dir, [first, second], (db) => {
      assert.deepEqual(versionsOf(db), [1, 7, 8]);
      db.prepare('INSERT INTO two (x) VALUES (1)').run();
    });
  });
});
