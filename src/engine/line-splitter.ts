/**
 * Turns a stream of output chunks into blocks of whole lines, at most two blocks per chunk, so
 * that a job printing millions of lines costs an event or two per chunk and no string per line. A
 * block is bytes whose every line ends with `\n` (a CR before it, CRLF, is dropped). A chunk may
 * end mid-line: the rest waits for the next chunk, whose first block is that line, completed
 * (a copy of that line alone); its second block is the chunk's other whole lines, a view of the
 * chunk (no copy: copying every chunk whole to join the two cost 3% of a 2,000,000-line workflow
 * run). `flush()` gives out a last line that had no newline (with one added).
 *
 * It works on the bytes as they came and never decodes them: a newline byte is never part of a
 * UTF-8 character, so a block of whole lines never ends inside one, and whoever shows it as text
 * decodes it then (the plain reporter never does: it prefixes the bytes, prefix-lines.ts).
 */
const NEWLINE = 0x0a;
const CRLF = Buffer.from('\r\n');

export class LineSplitter {
  /** The start of a line that has not ended yet, as the chunks that brought it. */
  private pending: Buffer[] = [];
  private readonly emit: (lines: Buffer) => void;

  constructor(emit: (lines: Buffer) => void) {
    this.emit = emit;
  }

  push(chunk: Buffer): void {
    const last = chunk.lastIndexOf(NEWLINE);
    if (last === -1) {
      if (chunk.length > 0) this.pending.push(chunk);
      return;
    }
    let start = 0;
    if (this.pending.length > 0) {
      start = chunk.indexOf(NEWLINE) + 1;
      this.emit(withoutCr(Buffer.concat([...this.pending, chunk.subarray(0, start)])));
    }
    this.pending = last + 1 === chunk.length ? [] : [chunk.subarray(last + 1)];
    if (start <= last) this.emit(withoutCr(chunk.subarray(start, last + 1)));
  }

  flush(): void {
    if (this.pending.length === 0) return;
    const rest = Buffer.concat([...this.pending, Buffer.of(NEWLINE)]);
    this.pending = [];
    this.emit(withoutCr(rest));
  }
}

/** The block with the CR of each CRLF dropped (the block itself when it has none). */
function withoutCr(block: Buffer): Buffer {
  let at = block.indexOf(CRLF);
  if (at === -1) return block;
  const out = Buffer.allocUnsafe(block.length);
  let used = 0;
  let from = 0;
  while (at !== -1) {
    used += block.copy(out, used, from, at);
    from = at + 1;
    at = block.indexOf(CRLF, from);
  }
  used += block.copy(out, used, from);
  return out.subarray(0, used);
}

/** The lines of a block of whole lines, without their newlines. */
export function linesOf(text: string): string[] {
  const lines = text.split('\n');
  lines.pop();
  return lines;
}
