import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { randomHex, sha256Hex } from '../../src/hashes.js';

describe('names from hashes and random bytes', () => {
  it('hashes exactly as node:crypto does (names made before stay the same)', () => {
    for (const text of ['', '/var/lib/rnx', 'héllo wörld ✓', 'x'.repeat(1000)]) {
      const node = createHash('sha256').update(text).digest('hex');
      assert.equal(sha256Hex(text), node);
      assert.equal(sha256Hex(text, 16), node.slice(0, 16));
    }
  });

  it('gives random lowercase hex of the length asked', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 100; i++) {
      const hex = randomHex(6);
      assert.match(hex, /^[0-9a-f]{12}$/);
      seen.add(hex);
    }
    assert.equal(seen.size, 100);
  });
});
