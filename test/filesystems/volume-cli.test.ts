import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { acquireVolumes, releaseVolumes } from '../../src/isolation/filesystem/volumes.js';
import { selfIdentity } from '../../src/isolation/records/proc-identity.js';
import { openDatabase } from '../../src/state/database.js';
import { runCli, tempDir } from '../helpers/cli.js';

describe('rnx volume', () => {
  const t = tempDir('rnx-volume-cli-');
  const stateDir = join(t.dir, 'state');
  after(() => t.cleanup());
  const rnx = (...args: string[]) => runCli(args, { stateDir });

  it('creates a volume as a directory under the state directory and lists it', async () => {
    const created = await rnx('volume', 'create', 'pgdata');
    assert.equal(created.code, 0, created.stderr);
    assert.equal(existsSync(join(stateDir, 'volumes', 'pgdata')), true);
    const list = await rnx('volume', 'list');
    assert.match(
      list.stdout,
      /^NAME\s+USED BY\s+OWNER\s+PATH\npgdata\s+-\s+0:0\s+\S+\/volumes\/pgdata\n$/,
    );
    const json = JSON.parse((await rnx('volume', 'list', '--json')).stdout) as { name: string }[];
    assert.deepEqual(
      json.map((v) => v.name),
      ['pgdata'],
    );
  });

  it('refuses a duplicate, a bad name and a missing name', async () => {
    const dup = await rnx('volume', 'create', 'pgdata');
    assert.equal(dup.code, 2);
    assert.match(dup.stderr, /volume 'pgdata' already exists/);
    for (const bad of ['../x', 'a b', '-x', '.hidden', 'x'.repeat(65)]) {
      const r = await rnx('volume', 'create', '--', bad);
      assert.equal(r.code, 2, bad);
      assert.match(r.stderr, /invalid volume name/);
    }
    const none = await rnx('volume', 'create');
    assert.equal(none.code, 2);
    assert.match(none.stderr, /missing NAME/);
  });

  it('refuses to remove a volume while a running job uses it, not after', async () => {
    await rnx('volume', 'create', 'busy');
    const db = openDatabase(stateDir);
    try {
      assert.ok(acquireVolumes(db, stateDir, 'job-1', ['busy'], selfIdentity()).ok);
      const listed = await rnx('volume', 'list');
      assert.match(listed.stdout, /busy\s+job-1/);
      const refused = await rnx('volume', 'remove', 'busy');
      assert.equal(refused.code, 2);
      assert.match(refused.stderr, /volume 'busy' is used by running job job-1/);
      releaseVolumes(db, 'job-1');
    } finally {
      db.close();
    }
    writeFileSync(join(stateDir, 'volumes', 'busy', 'data'), 'x');
    const removed = await rnx('volume', 'remove', 'busy');
    assert.equal(removed.code, 0, removed.stderr);
    assert.equal(existsSync(join(stateDir, 'volumes', 'busy')), false);
  });

  it('ignores a use left by an rnx that no longer runs', async () => {
    await rnx('volume', 'create', 'stale');
    const db = openDatabase(stateDir);
    try {
      const dead = { pid: selfIdentity().pid, startTime: selfIdentity().startTime + 1 };
      assert.ok(acquireVolumes(db, stateDir, 'job-2', ['stale'], dead).ok);
    } finally {
      db.close();
    }
    const removed = await rnx('volume', 'remove', 'stale');
    assert.equal(removed.code, 0, removed.stderr);
  });

  it('says when a volume does not exist, with a suggestion', async () => {
    const r = await rnx('volume', 'remove', 'pgdat');
    assert.equal(r.code, 1);
    assert.match(r.stderr, /volume 'pgdat' does not exist\n {2}hint: did you mean 'pgdata'\?/);
  });
});
