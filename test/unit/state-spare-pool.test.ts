/** The pools of spare FIFOs and directories (src/state/spare-pool.ts), on a temporary directory. */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { freshName, sparePool } from '../../src/state/spare-pool.js';
import { tempDir } from '../helpers/cli.js';

const tmp = tempDir('rnx-spare-pool-');
after(() => tmp.cleanup());

describe('spare pools', () => {
  it('fresh names are unique, and start with the pid', () => {
    const names = Array.from({ length: 1000 }, () => freshName());
    assert.equal(new Set(names).size, names.length);
    for (const name of names)
      assert.match(name, new RegExp(`^${String(process.pid)}-[0-9a-f]{12}-\\d+$`));
  });

  it('a put entry is taken once, by rename, then the pool is empty', () => {
    const pool = join(tmp.dir, 'pool');
    const ended = [join(tmp.dir, 'a'), join(tmp.dir, 'b')];
    for (const dir of ended) mkdirSync(dir);
    for (const dir of ended) assert.equal(sparePool(pool).put(dir), true);
    assert.deepEqual(
      ended.filter((dir) => existsSync(dir)),
      [],
    );
    assert.equal(readdirSync(pool).length, 2);
    const taken = [join(tmp.dir, 'x'), join(tmp.dir, 'y')];
    for (const target of taken) assert.equal(sparePool(pool).take(target), true);
    assert.equal(sparePool(pool).take(join(tmp.dir, 'z')), false);
    assert.deepEqual(
      taken.filter((dir) => existsSync(dir)),
      taken,
    );
    assert.deepEqual(readdirSync(pool), []);
  });
});
