/** What every rule gets, and the small helper rules use to make a diagnostic at a path. */
import type { Catalog } from './host/catalog.js';
import type { Diagnostic, RelatedLocation, Severity } from './diagnostic.js';
import type { DataPath, LoadedFile } from './load/load.js';
import { locate } from './load/load.js';
import type { WorkflowView } from './workflows.js';

export interface RuleContext {
  readonly loaded: LoadedFile;
  readonly workflows: readonly WorkflowView[];
  readonly catalog: Catalog;
  /** Where variables given without a value get theirs (absent: nowhere, and unset is a warning). */
  readonly passThrough?: PassThrough;
}

export interface PassThrough {
  lookup(name: string): string | undefined;
  /** How an unset one is reported: an error before a run, a warning for a dry run or lint. */
  readonly unset: 'error' | 'warning';
  /** Words for the other places looked in, e.g. `env file .env`. */
  readonly sources?: string;
}

export type Rule = (ctx: RuleContext) => Diagnostic[];

export interface At {
  readonly path: DataPath;
  readonly part?: 'key' | 'value';
}

export interface DiagnosticFields {
  readonly severity?: Severity;
  readonly code: string;
  readonly message: string;
  readonly hint?: string;
  readonly related?: readonly (At & { message: string })[];
}

export function diagnosticAt(loaded: LoadedFile, at: At, fields: DiagnosticFields): Diagnostic {
  const related: RelatedLocation[] = (fields.related ?? []).map((r) => ({
    ...locate(loaded, r.path, r.part),
    message: r.message,
  }));
  return {
    severity: fields.severity ?? 'error',
    code: fields.code,
    message: fields.message,
    ...(fields.hint === undefined ? {} : { hint: fields.hint }),
    ...locate(loaded, at.path, at.part),
    related,
  };
}

/**
 * Diagnostics at keys (`part: 'key'`), each path reported once: rules that walk a workflow's
 * levels and its jobs can reach the same key more than once (a file-level `environment` seen from
 * every workflow in it).
 */
export function keyDiagnostics(loaded: LoadedFile): {
  add(path: DataPath, fields: DiagnosticFields): void;
  readonly list: Diagnostic[];
} {
  const list: Diagnostic[] = [];
  const seen = new Set<string>();
  return {
    add(path, fields) {
      const id = path.join('\0');
      if (seen.has(id)) return;
      seen.add(id);
      list.push(diagnosticAt(loaded, { path, part: 'key' }, fields));
    },
    list,
  };
}
