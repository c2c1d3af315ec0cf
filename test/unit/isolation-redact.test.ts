import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { maskSecrets, Redactor } from '../../src/isolation/output/redact.js';

function through(secrets: string[], chunks: string[]): string {
  const r = new Redactor(secrets);
  const out = chunks.map((c) => r.push(Buffer.from(c)).toString()).join('');
  return out + r.flush().toString();
}

describe('secret values are masked in job output', () => {
  it('masks every occurrence in one chunk', () => {
    assert.equal(through(['hunter2'], ['pw=hunter2 again hunter2\n']), 'pw=*** again ***\n');
  });

  it('masks a secret split across chunks', () => {
    assert.equal(through(['hunter2'], ['pw=hun', 'ter2\n']), 'pw=***\n');
    assert.equal(through(['hunter2'], ['pw=h', 'u', 'nter', '2!']), 'pw=***!');
  });

  it('releases a held-back prefix that turned out not to be a secret', () => {
    assert.equal(through(['hunter2'], ['say hun', 'gry\n']), 'say hungry\n');
    assert.equal(through(['hunter2'], ['ends with hunt']), 'ends with hunt');
  });

  it('prefers the longest secret when one contains another', () => {
    assert.equal(through(['abc', 'abcdef'], ['x abcdef y abc\n']), 'x *** y ***\n');
  });

  it('passes output through untouched when there are no secrets', () => {
    const r = new Redactor(['']);
    const chunk = Buffer.from('plain');
    assert.equal(r.push(chunk), chunk);
  });

  it('masks strings (records, messages) the same way, and returns them as they are without secrets', () => {
    assert.equal(maskSecrets('run --token=hunter2 x', ['hunter2', '']), 'run --token=*** x');
    const text = 'run --token=hunter2';
    assert.equal(maskSecrets(text, []), text);
    assert.equal(maskSecrets(text, ['']), text);
  });
});
