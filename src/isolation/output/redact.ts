/**
 * Masks secret values in a job's output stream before it is shown or logged. A secret may be split
 * across two chunks, so the end of a chunk that could be the start of a secret is held back until
 * the next chunk (or the end of the stream) decides it.
 */
export const MASK = '***';

/** Masks every secret value in a string (records, messages). */
export function maskSecrets(text: string, secrets: readonly string[]): string {
  if (secrets.every((secret) => secret === '')) return text;
  const redactor = new Redactor(secrets);
  return Buffer.concat([redactor.push(Buffer.from(text)), redactor.flush()]).toString('utf8');
}

export class Redactor {
  private readonly secrets: readonly Buffer[];
  private held: Buffer = Buffer.alloc(0);

  constructor(values: Iterable<string>) {
    this.secrets = [...new Set(values)]
      .filter((v) => v.length > 0)
      .map((v) => Buffer.from(v))
      .sort((a, b) => b.length - a.length);
  }

  get active(): boolean {
    return this.secrets.length > 0;
  }

  /** Returns what can be released now; may hold back a possible secret prefix. */
  push(chunk: Buffer): Buffer {
    if (!this.active) return chunk;
    const data = this.held.length === 0 ? chunk : Buffer.concat([this.held, chunk]);
    const masked = this.mask(data);
    const keep = this.possiblePrefix(masked);
    this.held = masked.subarray(masked.length - keep);
    return masked.subarray(0, masked.length - keep);
  }

  /** Releases whatever is held back (end of stream). */
  flush(): Buffer {
    const rest = this.held;
    this.held = Buffer.alloc(0);
    return rest;
  }

  private mask(data: Buffer): Buffer {
    const parts: Buffer[] = [];
    let from = 0;
    for (let i = 0; i < data.length;) {
      const hit = this.secrets.find((s) => data.subarray(i, i + s.length).equals(s));
      if (hit === undefined) {
        i++;
        continue;
      }
      parts.push(data.subarray(from, i), Buffer.from(MASK));
      i += hit.length;
      from = i;
    }
    if (parts.length === 0) return data;
    parts.push(data.subarray(from));
    return Buffer.concat(parts);
  }

  /** Length of the longest tail of `data` that is a proper prefix of some secret. */
  private possiblePrefix(data: Buffer): number {
    let best = 0;
    for (const secret of this.secrets) {
      for (let n = Math.min(secret.length - 1, data.length); n > best; n--) {
        if (data.subarray(data.length - n).equals(secret.subarray(0, n))) {
          best = n;
          break;
        }
      }
    }
    return best;
  }
}
