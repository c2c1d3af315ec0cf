/**
 * "Did you mean": the closest candidate by edit distance, when it is close enough to help.
 *
 * With many candidates (a workflow of 8,000 jobs) comparing a word with each of them costs
 * seconds per word, so a Suggester indexes the candidates by their letter pairs once: only the
 * candidates that share the most pairs with the word (at most COMPARED of them, and only those
 * that could be within the distance at all) are compared letter by letter.
 */

/** How many of the best-sharing candidates are compared exactly. */
const COMPARED = 64;
/** Below this many candidates, comparing each is cheaper than indexing. */
const INDEX_FROM = 64;

/** Levenshtein distance; stops early and returns `limit + 1` once it must exceed `limit`. */
export function editDistance(a: string, b: string, limit = Infinity): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  let current = new Array<number>(b.length + 1).fill(0);
  for (let i = 1; i <= a.length; i++) {
    current[0] = i;
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      const value = Math.min(
        (previous[j] ?? 0) + 1,
        (current[j - 1] ?? 0) + 1,
        (previous[j - 1] ?? 0) + cost,
      );
      current[j] = value;
      if (value < rowMin) rowMin = value;
    }
    if (rowMin > limit) return limit + 1;
    [previous, current] = [current, previous];
  }
  return previous[b.length] ?? 0;
}

/** How far off a word may be and still be suggested. */
function limitFor(word: string): number {
  return Math.max(2, Math.floor(word.length / 3));
}

/** Letter pairs of `^word$`: a string of length n has n + 1 of them. */
function pairs(word: string): string[] {
  const padded = `\u0002${word}\u0003`;
  const out: string[] = [];
  for (let i = 0; i + 1 < padded.length; i++) out.push(padded.slice(i, i + 2));
  return out;
}

export class Suggester {
  private readonly candidates: readonly string[];
  private readonly lower: readonly string[];
  private readonly index = new Map<string, number[]>();
  /** Shared pairs per candidate, reused between words (only the touched entries are reset). */
  private shared: Int32Array = new Int32Array(0);

  constructor(candidates: readonly string[]) {
    this.candidates = candidates;
    this.lower = candidates.map((c) => c.toLowerCase());
    if (candidates.length < INDEX_FROM) return;
    this.shared = new Int32Array(candidates.length);
    this.lower.forEach((candidate, i) => {
      for (const pair of new Set(pairs(candidate))) {
        const list = this.index.get(pair);
        if (list === undefined) this.index.set(pair, [i]);
        else list.push(i);
      }
    });
  }

  closest(word: string): string | undefined {
    const lower = word.toLowerCase();
    const limit = limitFor(word);
    let best: string | undefined;
    let bestDistance = limit + 1;
    for (const i of this.shortlist(lower, limit)) {
      const distance = editDistance(lower, this.lower[i] ?? '', bestDistance - 1);
      if (distance < bestDistance) {
        best = this.candidates[i];
        bestDistance = distance;
      }
    }
    return best;
  }

  /** Candidates worth comparing: all of a short list; else the best-sharing few. */
  private shortlist(word: string, limit: number): Iterable<number> {
    if (this.candidates.length < INDEX_FROM) return this.candidates.keys();
    const shared = this.shared;
    const touched: number[] = [];
    for (const pair of new Set(pairs(word))) {
      for (const i of this.index.get(pair) ?? []) {
        if (shared[i] === 0) touched.push(i);
        shared[i] = (shared[i] ?? 0) + 1;
      }
    }
    // An edit changes at most two pairs: a candidate within `limit` shares at least this many.
    const byCount: number[][] = [];
    for (const i of touched) {
      const count = shared[i] ?? 0;
      shared[i] = 0;
      const length = this.lower[i]?.length ?? 0;
      if (Math.abs(length - word.length) > limit) continue;
      if (count < Math.max(length, word.length) + 1 - 2 * limit) continue;
      (byCount[count] ??= []).push(i);
    }
    const out: number[] = [];
    for (let count = byCount.length - 1; count >= 0 && out.length < COMPARED; count--) {
      for (const i of byCount[count] ?? []) {
        if (out.length === COMPARED) break;
        out.push(i);
      }
    }
    return out;
  }
}

export function closest(word: string, candidates: Iterable<string>): string | undefined {
  return new Suggester([...candidates]).closest(word);
}

/** Up to `max` names joined with ', ', then how many more there are. */
export function listSome(names: readonly string[], max = 10): string {
  if (names.length <= max) return names.join(', ');
  return `${names.slice(0, max).join(', ')}, ... (${String(names.length - max)} more)`;
}
