/**
 * `${jobs.NAME.outputs.KEY}`: a value a required job wrote to its $RNX_OUTPUT file. Validation
 * checks that NAME is upstream of the job using it; the engine substitutes the recorded value just
 * before the job starts. Pure.
 */

const REFERENCE = /\$\{jobs\.([a-z0-9-]+)\.outputs\.([A-Za-z_][A-Za-z0-9_]*)\}/g;

export interface OutputReference {
  readonly job: string;
  readonly key: string;
}

export function outputReferences(text: string): OutputReference[] {
  if (!text.includes('${jobs.')) return [];
  return [...text.matchAll(REFERENCE)].map((m) => ({ job: m[1] ?? '', key: m[2] ?? '' }));
}

export type Substituted =
  | { readonly ok: true; readonly text: string }
  | { readonly ok: false; readonly missing: OutputReference };

/** Replaces every reference; the first one `lookup` cannot answer is returned as missing. */
export function substituteOutputs(
  text: string,
  lookup: (job: string, key: string) => string | undefined,
): Substituted {
  if (!text.includes('${jobs.')) return { ok: true, text };
  let missing: OutputReference | undefined;
  const replaced = text.replace(REFERENCE, (whole, job: string, key: string) => {
    const value = lookup(job, key);
    if (value === undefined) missing ??= { job, key };
    return value ?? whole;
  });
  return missing === undefined ? { ok: true, text: replaced } : { ok: false, missing };
}

/**
 * Parses what a job wrote to $RNX_OUTPUT, as GitHub Actions' $GITHUB_OUTPUT: `KEY=VALUE` lines and
 * `KEY<<DELIMITER` ... `DELIMITER` blocks for values over several lines. Later lines win; lines
 * that are neither are ignored.
 */
export function parseOutputFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    const heredoc = /^([A-Za-z_][A-Za-z0-9_]*)<<(.+)$/.exec(line);
    if (heredoc !== null) {
      const [, key = '', delimiter = ''] = heredoc;
      const body: string[] = [];
      for (i++; i < lines.length && lines[i] !== delimiter; i++) body.push(lines[i] ?? '');
      out[key] = body.join('\n');
      continue;
    }
    const eq = line.indexOf('=');
    if (eq <= 0) continue;
    const key = line.slice(0, eq);
    if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) out[key] = line.slice(eq + 1);
  }
  return out;
}
