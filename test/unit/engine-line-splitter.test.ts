import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LineSplitter } from '../../src/engine/line-splitter.js';

function split(chunks: (string | Buffer)[]): string[] {
  const lines: string[] = [];
  const splitter = new LineSplitter((line) => lines.push(line));
  for (const chunk of chunks) splitter.push(chunk);
  splitter.flush();
  return lines;
}

describe('line splitter', () => {
  it('gives whole lines across chunk boundaries and keeps empty lines', () => {
    assert.deepEqual(split(['one\ntw', 'o\n\nthr', 'ee']), ['one', 'two', '', 'three']);
  });

  it('does not break a UTF-8 character split between two chunks', () => {
    const bytes = Buffer.from('héllo\n');
    assert.deepEqual(split([bytes.subarray(0, 2), bytes.subarray(2)]), ['héllo']);
  });

  it('drops the carriage return of CRLF line ends', () => {
    assert.deepEqual(split(['a\r\nb\r\n']), ['a', 'b']);
  });
});
