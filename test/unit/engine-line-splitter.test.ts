import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LineSplitter, linesOf } from '../../src/engine/line-splitter.js';

/** The batches the splitter hands out for these chunks, then after flush. */
function batches(chunks: (string | Buffer)[]): string[][] {
  const out: string[][] = [];
  const splitter = new LineSplitter((lines) => {
    const text = lines.toString('utf8');
    assert.ok(text.endsWith('\n'), 'a block ends with a newline');
    out.push(linesOf(text));
  });
  for (const chunk of chunks) splitter.push(Buffer.from(chunk));
  splitter.flush();
  return out;
}

const split = (chunks: (string | Buffer)[]): string[] => batches(chunks).flat();

describe('line splitter', () => {
  it('gives whole lines across chunk boundaries and keeps empty lines', () => {
    assert.deepEqual(split(['one\ntw', 'o\n\nthr', 'ee']), ['one', 'two', '', 'three']);
  });

  it('hands out the whole lines of a chunk as one batch, the line it completes as another, nothing for a chunk without a newline', () => {
    assert.deepEqual(batches(['a\nb\nc', 'd', 'e\nf\n', 'g']), [['a', 'b'], ['cde'], ['f'], ['g']]);
    assert.deepEqual(batches(['a', 'b\n', 'c\n']), [['ab'], ['c']]);
  });

  it('does not break a UTF-8 character split between two chunks', () => {
    const bytes = Buffer.from('héllo\n');
    assert.deepEqual(split([bytes.subarray(0, 2), bytes.subarray(2)]), ['héllo']);
  });

  it('hands out the whole lines before a character split between chunks, and the character whole after', () => {
    const bytes = Buffer.from('a\nü€\n');
    for (let cut = 3; cut < bytes.length - 1; cut++) {
      assert.deepEqual(batches([bytes.subarray(0, cut), bytes.subarray(cut)]), [['a'], ['ü€']]);
    }
  });

  it('drops the carriage return of CRLF line ends, also when the two arrive apart', () => {
    assert.deepEqual(split(['a\r\nb\r\n']), ['a', 'b']);
    assert.deepEqual(split(['a\r', '\nb\r', '\n']), ['a', 'b']);
    assert.deepEqual(split(['x\ry\n']), ['x\ry']);
  });

  it('keeps every line of a large output cut at arbitrary places', () => {
    const text = Array.from({ length: 50_000 }, (_, i) => `line ${String(i)}`).join('\n') + '\n';
    const bytes = Buffer.from(text);
    const chunks: Buffer[] = [];
    for (let at = 0, size = 1; at < bytes.length; at += size, size = 1 + ((size * 7 + 3) % 4999)) {
      chunks.push(bytes.subarray(at, at + size));
    }
    const lines = split(chunks);
    assert.equal(lines.length, 50_000);
    assert.ok(lines.every((line, i) => line === `line ${String(i)}`));
  });
});
