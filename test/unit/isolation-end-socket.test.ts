/** The abstract socket a job's or run's end is held on (src/isolation/records/end-signal.ts). */
import assert from 'node:assert/strict';
import { mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { endSocketName } from '../../src/isolation/records/end-signal.js';
import { tempDir } from '../helpers/cli.js';

const tmp = tempDir('rnx-end-socket-');
after(() => tmp.cleanup());

describe("the end's socket name", () => {
  const state = join(tmp.dir, 'state');
  const other = join(tmp.dir, 'other');
  mkdirSync(state);
  mkdirSync(other);
  symlinkSync(state, join(tmp.dir, 'link'));

  it('is the same for every path to the state directory', () => {
    const name = endSocketName(state, 'abc');
    assert.equal(endSocketName(`${state}/`, 'abc'), name);
    assert.equal(endSocketName(join(tmp.dir, 'link'), 'abc'), name);
    assert.equal(endSocketName(join(state, '..', 'state'), 'abc'), name);
  });

  it('differs between state directories and between keys, and fits an abstract socket', () => {
    const names = [
      endSocketName(state, 'abc'),
      endSocketName(state, 'abd'),
      endSocketName(other, 'abc'),
      endSocketName(join(tmp.dir, 'missing'), 'abc'),
    ];
    assert.equal(new Set(names).size, names.length);
    for (const name of names) {
      assert.ok(name.startsWith('\0rnx-end/'), name);
      // sun_path holds 108 bytes; a job id or run id is short.
      assert.ok(Buffer.byteLength(name) < 60, name);
    }
  });
});
