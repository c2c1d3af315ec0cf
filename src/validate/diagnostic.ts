/**
 * Diagnostics: every problem validation finds, as data with a source location, and one pure
 * renderer that turns them into `file:line:col severity code: message` plus a source excerpt
 * with a `^^^` marker under the offending text.
 */
import { clip, printable } from '../printable.js';

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

/** A file's text as the lines excerpts are taken from (split once for many diagnostics). */
export function sourceLines(source: string): readonly string[] {
  return source.split(/\r?\n/);
}

/**
 * Renders one diagnostic. `source` is the file's text or its sourceLines (for the excerpt);
 * without it only the heading and hint are printed. Control characters are shown escaped.
 */
export function renderDiagnostic(d: Diagnostic, source?: string | readonly string[]): string {
  const lines = typeof source === 'string' ? sourceLines(source) : source;
  const file = printable(d.file);
  const out = [`${file}:${d.line}:${d.column} ${d.severity} ${d.code}: ${printable(d.message)}`];
  if (lines !== undefined) out.push(...excerpt(d, lines));
  if (d.hint !== undefined) out.push(`  hint: ${printable(d.hint)}`);
  for (const r of d.related) {
    out.push(`  ${printable(r.file)}:${r.line}:${r.column} note: ${printable(r.message)}`);
    if (lines !== undefined && r.file === d.file) out.push(...excerpt(r, lines));
  }
  return out.join('\n');
}

/** Renders a list, sorted, separated by blank lines, with a closing count. */
export function renderDiagnostics(list: readonly Diagnostic[], source?: string): string {
  const lines = source === undefined ? undefined : sourceLines(source);
  return sortDiagnostics(list)
    .map((d) => renderDiagnostic(d, lines))
    .join('\n\n');
}

/** Messages, hints and related notes clipped to MAX_TEXT characters (one value cannot flood). */
export function clipDiagnostic(d: Diagnostic): Diagnostic {
  return {
    ...d,
    message: clip(d.message),
    ...(d.hint === undefined ? {} : { hint: clip(d.hint) }),
    related: d.related.map((r) => ({ ...r, message: clip(r.message) })),
  };
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

/** Columns of a source line shown in an excerpt; a longer line is shown around the marker. */
const EXCERPT_WIDTH = 160;

function excerpt(loc: Location, lines: readonly string[]): string[] {
  const raw = lines[loc.line - 1];
  if (raw === undefined) return [];
  const text = raw.replace(/\t/g, ' ');
  const gutter = String(loc.line);
  const pad = ' '.repeat(gutter.length);
  const start = Math.min(Math.max(loc.column - 1, 0), text.length);
  const end = loc.endLine === loc.line ? Math.min(loc.endColumn - 1, text.length) : text.length;
  let from = 0;
  let to = text.length;
  if (text.length > EXCERPT_WIDTH) {
    from = Math.max(0, Math.min(start - 40, text.length - EXCERPT_WIDTH));
    to = from + EXCERPT_WIDTH;
  }
  const before = `${from > 0 ? '...' : ''}${printable(text.slice(from, start))}`;
  const marked = printable(text.slice(start, Math.max(start, Math.min(end, to))));
  const after = `${printable(text.slice(Math.max(start, Math.min(end, to)), to))}${to < text.length ? '...' : ''}`;
  const width = Math.max(1, marked.length);
  return [
    `  ${gutter} | ${before}${marked}${after}`,
    `  ${pad} | ${' '.repeat(before.length)}${'^'.repeat(width)}`,
  ];
}
