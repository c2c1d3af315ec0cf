/**
 * Turns a stream of output chunks into blocks of whole lines, one block per chunk, so that a job
 * printing millions of lines costs one event per chunk and no string per line. A block is text
 * whose every line ends with `\n` (a CR before it, CRLF, is dropped). A chunk may end mid-line or
 * mid-character: the rest waits for the next chunk; `flush()` gives out a last line that had no
 * newline (with one added).
 */
import { StringDecoder } from 'node:string_decoder';

export class LineSplitter {
  private readonly decoder = new StringDecoder('utf8');
  private pending = '';
  private readonly emit: (text: string) => void;

  constructor(emit: (text: string) => void) {
    this.emit = emit;
  }

  push(chunk: Buffer | string): void {
    const text = typeof chunk === 'string' ? chunk : this.decoder.write(chunk);
    const last = text.lastIndexOf('\n');
    if (last === -1) {
      this.pending += text;
      return;
    }
    const whole = this.pending + text.slice(0, last + 1);
    this.pending = text.slice(last + 1);
    this.emit(withoutCr(whole));
  }

  flush(): void {
    const rest = this.pending + this.decoder.end();
    this.pending = '';
    if (rest !== '') this.emit(withoutCr(`${rest}\n`));
  }
}

function withoutCr(text: string): string {
  return text.includes('\r\n') ? text.replace(/\r\n/g, '\n') : text;
}

/** The lines of a block of whole lines, without their newlines. */
export function linesOf(text: string): string[] {
  const lines = text.split('\n');
  lines.pop();
  return lines;
}
