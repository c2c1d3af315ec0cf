import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  afterWrite,
  FAST_IN_A_ROW,
  formatWarmRecord,
  parseWarmRecord,
  readWarmRecord,
  shouldWarm,
  SLOW_WRITE_MS,
  warmRecordFile,
  writeWarmRecord,
  type WarmRecord,
} from '../../src/isolation/cgroups/warm-need.js';

describe('whether the cgroup warm-up pays', () => {
  it('warms until this boot saw enough fast writes in a row, and never after a slow one', () => {
    let record: WarmRecord | undefined;
    for (let i = 0; i < FAST_IN_A_ROW; i++) {
      assert.equal(shouldWarm(record, 'b1'), true, `after ${String(i)} fast`);
      record = afterWrite(record, 'b1', SLOW_WRITE_MS / 4);
    }
    assert.equal(shouldWarm(record, 'b1'), false);
    // Another boot (maybe another kernel) starts over.
    assert.equal(shouldWarm(record, 'b2'), true);
    assert.deepEqual(afterWrite(record, 'b2', 0.5), { boot: 'b2', slow: false, fast: 1 });
    // One slow write keeps the warm-up for the rest of the boot.
    let slow = afterWrite(afterWrite(undefined, 'b1', 0.5), 'b1', SLOW_WRITE_MS);
    assert.deepEqual(slow, { boot: 'b1', slow: true });
    for (let i = 0; i < 10; i++) slow = afterWrite(slow, 'b1', 0.1);
    assert.equal(shouldWarm(slow, 'b1'), true);
  });

  it('reads back what it wrote; anything else is no record', () => {
    for (const record of [
      { boot: 'a-b-c', slow: true },
      { boot: 'a-b-c', slow: false, fast: 2 },
    ] as const) {
      assert.deepEqual(parseWarmRecord(formatWarmRecord(record)), record);
    }
    for (const text of ['', 'boot', 'boot fast', 'boot 1 2', 'boot -1', 'boot 1e3']) {
      assert.equal(parseWarmRecord(text), undefined, text);
    }
    const dir = mkdtempSync(join(tmpdir(), 'rnx-warm-'));
    try {
      assert.equal(readWarmRecord(dir), undefined);
      writeWarmRecord(dir, { boot: 'x', slow: false, fast: 3 });
      assert.equal(readFileSync(warmRecordFile(dir), 'utf8'), 'x 3\n');
      assert.deepEqual(readWarmRecord(dir), { boot: 'x', slow: false, fast: 3 });
      writeFileSync(warmRecordFile(dir), 'garbage');
      assert.equal(readWarmRecord(dir), undefined);
      // A directory that takes nothing: no throw.
      writeWarmRecord(join(dir, 'missing', 'deeper'), { boot: 'x', slow: true });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
