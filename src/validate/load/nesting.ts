/**
 * How deeply a YAML text nests, measured before the YAML parser sees it: the parser builds its
 * document recursively, so a block list nested a few thousand deep exhausts the stack, and its
 * tokenizer slows down quadratically with depth. One linear pass over the characters follows
 * block collections by their indentation (`- `, `? ` and `key:` entries) and flow collections by
 * their brackets, skipping quoted text, comments and block scalars. A workflow nests about 6 deep;
 * MAX_NESTING leaves room for any hand-written file.
 */

export const MAX_NESTING = 64;

export interface TooDeep {
  /** Offset in the text of the collection that goes past the limit. */
  readonly offset: number;
}

interface Block {
  readonly column: number;
  readonly kind: 'seq' | 'map';
}

/** The first place nesting goes past `limit`, or undefined. */
export function findTooDeep(text: string, limit = MAX_NESTING): TooDeep | undefined {
  const blocks: Block[] = [];
  let flow = 0;
  let quote: '"' | "'" | undefined;
  let scalarIndent: number | undefined; // inside a block scalar whose parent is at this indent
  let lineStart = 0;
  while (lineStart <= text.length) {
    let lineEnd = text.indexOf('\n', lineStart);
    if (lineEnd === -1) lineEnd = text.length;
    let indent = 0;
    while (text[lineStart + indent] === ' ') indent++;
    const blank = lineStart + indent >= lineEnd || text[lineStart + indent] === '\r';
    if (scalarIndent !== undefined && (blank || indent > scalarIndent)) {
      lineStart = lineEnd + 1;
      continue;
    }
    scalarIndent = undefined;
    let p = lineStart + indent;
    if (quote === undefined && flow === 0 && !blank && text[p] !== '#') {
      while (blocks.length > 0 && (blocks.at(-1)?.column ?? 0) > indent) blocks.pop();
      // `- ` and `? ` entries, several on one line in compact form (`- - - x`).
      while (isIndicator(text, p, lineEnd)) {
        if (open(blocks, { column: p - lineStart, kind: 'seq' }) > limit) return { offset: p };
        p++;
        while (text[p] === ' ') p++;
      }
      const afterKey = keyEnd(text, p, lineEnd);
      if (afterKey !== undefined) {
        // `key:` back at the column of a list that was a value (`args:` then `- x` below it)
        // ends that list.
        const top = blocks.at(-1);
        if (top?.kind === 'seq' && top.column === p - lineStart) blocks.pop();
        if (open(blocks, { column: p - lineStart, kind: 'map' }) > limit) return { offset: p };
        p = afterKey;
      }
    }
    // The rest of the line: quotes, flow brackets, comments, a block scalar header. Inside a
    // plain scalar (`echo ${{ x }}`) brackets are text: it runs to the end of the line, or in
    // a flow collection to the next `,`, `]` or `}`.
    let plain = false;
    for (; p < lineEnd; p++) {
      const c = text[p] ?? '';
      if (quote !== undefined) {
        if (c === quote) {
          if (quote === "'" && text[p + 1] === "'") p++;
          else quote = undefined;
        } else if (c === '\\' && quote === '"') p++;
        continue;
      }
      if (c === '#' && (p === lineStart || text[p - 1] === ' ' || text[p - 1] === '\t')) break;
      if (plain) {
        if (flow > 0 && (c === ',' || c === ']' || c === '}')) plain = false;
        else continue;
      }
      if ((c === '"' || c === "'") && startsValue(text[p - 1])) quote = c;
      else if (c === '[' || c === '{') {
        flow++;
        if (blocks.length + flow > limit) return { offset: p };
      } else if ((c === ']' || c === '}') && flow > 0) flow--;
      else if (c !== ' ' && c !== '\t' && c !== ',' && c !== ':' && c !== '-' && c !== '?') {
        plain = startsValue(text[p - 1]) || text[p - 1] === ':' || text[p - 1] === '-';
      }
    }
    if (flow === 0 && quote === undefined && blockHeader(text, lineStart, lineEnd)) {
      scalarIndent = indent;
    }
    lineStart = lineEnd + 1;
  }
  return undefined;
}

/** Pushes the collection unless it continues the innermost one; returns the depth. */
function open(blocks: Block[], block: Block): number {
  const top = blocks.at(-1);
  if (top === undefined || top.column < block.column || top.kind !== block.kind) blocks.push(block);
  return blocks.length;
}

function isIndicator(text: string, p: number, lineEnd: number): boolean {
  const c = text[p];
  if (c !== '-' && c !== '?') return false;
  const next = text[p + 1];
  return p + 1 >= lineEnd || next === ' ' || next === '\r';
}

/** Where the value starts after a `key:` (plain or quoted) at p; undefined when there is none. */
function keyEnd(text: string, p: number, lineEnd: number): number | undefined {
  const c = text[p];
  if (c === undefined || c === '[' || c === '{' || c === '#' || c === '|' || c === '>')
    return undefined;
  let i = p;
  if (c === '"' || c === "'") {
    i = text.indexOf(c, p + 1);
    if (i === -1 || i >= lineEnd) return undefined;
    i++;
  }
  for (; i < lineEnd; i++) {
    if (text[i] === '#' && text[i - 1] === ' ') return undefined;
    if (text[i] === ':') {
      const next = text[i + 1];
      if (i + 1 >= lineEnd || next === ' ' || next === '\r') return i + 1;
    }
  }
  return undefined;
}

/** A quote opens a quoted scalar only where a value starts. */
function startsValue(before: string | undefined): boolean {
  return (
    before === undefined ||
    before === ' ' ||
    before === '[' ||
    before === '{' ||
    before === ',' ||
    before === '\n'
  );
}

/** `key: |-`, `- >2` and the like (a block scalar header with indicators). */
function blockHeader(text: string, start: number, end: number): boolean {
  let last = end - 1;
  while (last >= start && (text[last] === ' ' || text[last] === '\r')) last--;
  const c = text[last];
  // Most lines end in a plain value: decide those without a regular expression.
  if (c === undefined) return false;
  if (!'|>+-0123456789'.includes(c)) {
    let hash = start;
    while (hash < end && text[hash] !== '#') hash++;
    if (hash === end) return false;
  }
  // The tail only: a regular expression over a megabyte-long line would cost too much.
  return /(?:^|[\s:-])[|>][-+0-9]*[ \t]*(?:#[^|>]*)?\r?$/.test(
    text.slice(Math.max(start, end - 80), end),
  );
}
