/**
 * Diagnostics: every problem validation finds, as data with a source location, and one pure
 * renderer that turns them into `file:line:col severity code: message` plus a source excerpt
 * with a `^^^` marker under the offending text.
 */

export type Severity = 'error' | 'warning';

/** A place in the file. Lines and columns start at 1; the end is exclusive. */
export interface Location {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly endLine: number;
  readonly endColumn: number;
}

export interface RelatedLocation extends Location {
  readonly message: string;
}

export interface Diagnostic extends Location {
  readonly severity: Severity;
  /** Stable, kebab-case, e.g. `unknown-key`. */
  readonly code: string;
  /** One line saying what is wrong. */
  readonly message: string;
  /** Optional advice: what to change or run. */
  readonly hint?: string;
  /** Other places that take part in the problem (the other edges of a cycle, other uses). */
  readonly related: readonly RelatedLocation[];
}

export function isError(d: Diagnostic): boolean {
  return d.severity === 'error';
}

/** Sorts by position (then code), so output is the same on every run. */
export function sortDiagnostics(list: readonly Diagnostic[]): Diagnostic[] {
  return [...list].sort(
    (a, b) =>
      a.file.localeCompare(b.file) ||
      a.line - b.line ||
      a.column - b.column ||
      a.code.localeCompare(b.code) ||
      a.message.localeCompare(b.message),
  );
}

/**
 * Renders one diagnostic. `source` is the file's text (for the excerpt); without it only the
 * heading and hint are printed.
 */
export function renderDiagnostic(d: Diagnostic, source?: string): string {
  const lines = source === undefined ? undefined : source.split(/\r?\n/);
  const out = [`${d.file}:${d.line}:${d.column} ${d.severity} ${d.code}: ${d.message}`];
  if (lines !== undefined) out.push(...excerpt(d, lines));
  if (d.hint !== undefined) out.push(`  hint: ${d.hint}`);
  for (const r of d.related) {
    out.push(`  ${r.file}:${r.line}:${r.column} note: ${r.message}`);
    if (lines !== undefined && r.file === d.file) out.push(...excerpt(r, lines));
  }
  return out.join('\n');
}

/** Renders a list, sorted, separated by blank lines, with a closing count. */
export function renderDiagnostics(list: readonly Diagnostic[], source?: string): string {
  return sortDiagnostics(list)
    .map((d) => renderDiagnostic(d, source))
    .join('\n\n');
}

/** `N errors, M warnings` (singular where it applies). */
export function summarize(list: readonly Diagnostic[]): string {
  const errors = list.filter(isError).length;
  const warnings = list.length - errors;
  const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;
  return warnings === 0
    ? plural(errors, 'error')
    : `${plural(errors, 'error')}, ${plural(warnings, 'warning')}`;
}

function excerpt(loc: Location, lines: readonly string[]): string[] {
  const text = lines[loc.line - 1];
  if (text === undefined) return [];
  const shown = text.replace(/\t/g, ' ');
  const gutter = String(loc.line);
  const pad = ' '.repeat(gutter.length);
  const start = Math.min(Math.max(loc.column - 1, 0), shown.length);
  const end = loc.endLine === loc.line ? Math.min(loc.endColumn - 1, shown.length) : shown.length;
  const width = Math.max(1, end - start);
  return [`  ${gutter} | ${shown}`, `  ${pad} | ${' '.repeat(start)}${'^'.repeat(width)}`];
}
