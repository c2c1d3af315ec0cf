import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LinePrefixer } from '../../src/cli/reporters/prefix-lines.js';

const prefixed = (text: string, prefix: string): string =>
  new LinePrefixer().prefix(Buffer.from(text), Buffer.from(prefix)).toString();

describe('prefixing output lines on their bytes', () => {
  it('puts the prefix before every line, empty ones too', () => {
    assert.equal(prefixed('a\n\nbc\n', 'j | '), 'j | a\nj | \nj | bc\n');
    assert.equal(prefixed('', 'j | '), '');
  });

  it('keeps multi-byte characters and long lines whole', () => {
    const long = 'é'.repeat(100);
    assert.equal(
      prefixed(`ü\n${long}\n€x\n`, 'ジョブ | '),
      `ジョブ | ü\nジョブ | ${long}\nジョブ | €x\n`,
    );
  });

  it('prefixes a last line without its newline, and adds none', () => {
    assert.equal(prefixed('a\nb', '> '), '> a\n> b');
    assert.equal(prefixed('x'.repeat(70), '> '), `> ${'x'.repeat(70)}`);
  });

  it('gives blocks of lines shorter than 4 bytes on average whole (room counted again)', () => {
    assert.equal(prefixed('\n\n\n\n\n\n\n\n', 'job | '), 'job | \n'.repeat(8));
    assert.equal(prefixed('a\nb\nc\n', 'job | '), 'job | a\njob | b\njob | c\n');
  });

  it('is what the string way gives, on many short lines', () => {
    const text = Array.from({ length: 5000 }, (_, i) => `${String(i)}\r`).join('\n') + '\n';
    const viaStrings = `p | ${text.slice(0, -1).replaceAll('\n', '\np | ')}\n`;
    assert.equal(prefixed(text, 'p | '), viaStrings);
  });
});

describe('room for prefixed blocks (LinePrefixer)', () => {
  const big = Buffer.from('line\n'.repeat(20_000));
  const prefix = Buffer.from('job | ');

  it('gives a written big block’s room to the next block, and never one still being written', () => {
    const prefixer = new LinePrefixer();
    const first = prefixer.prefix(big, prefix);
    const second = prefixer.prefix(big, prefix);
    assert.notEqual(second.buffer, first.buffer, 'the first block is not written yet');
    const expected = `job | line\n`.repeat(20_000);
    prefixer.written(first);
    const third = prefixer.prefix(big, prefix);
    assert.equal(third.buffer, first.buffer);
    assert.equal(third.toString(), expected);
    assert.equal(second.toString(), expected);
  });

  it('takes back only rooms it made', () => {
    const prefixer = new LinePrefixer();
    // Someone else's buffer, as big as a room: it may still be in use elsewhere.
    const foreign = Buffer.alloc(1 << 20);
    prefixer.written(foreign);
    const block = prefixer.prefix(big, prefix);
    assert.notEqual(block.buffer, foreign.buffer);
    assert.equal(
      foreign.every((byte) => byte === 0),
      true,
    );
  });
});
