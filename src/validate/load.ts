/**
 * Loads a workflow file's text into a YAML document that keeps every node's source range, and
 * turns YAML's own complaints (tabs, bad indentation, duplicate keys, several documents...) into
 * diagnostics. `locate` maps a path in the data (`['jobs', 'api', 'network']`) back to the text.
 */
import { isMap, isScalar, isSeq, LineCounter, parseDocument } from 'yaml';
import type { Document, Node, YAMLError } from 'yaml';
import type { Diagnostic, Location } from './diagnostic.js';

export type PathSegment = string | number;
export type DataPath = readonly PathSegment[];

export interface LoadedFile {
  readonly file: string;
  readonly source: string;
  readonly doc: Document.Parsed;
  readonly lines: LineCounter;
  /** The plain data (maps become objects); undefined when the YAML itself is broken. */
  readonly data: unknown;
  /** YAML syntax errors and warnings. Later stages run only when none of them is an error. */
  readonly diagnostics: readonly Diagnostic[];
}

const YAML_CODES: Partial<Record<YAMLError['code'], { code: string; message?: string }>> = {
  TAB_AS_INDENT: {
    code: 'yaml-tab',
    message: 'tabs are not allowed for indentation in YAML; use spaces',
  },
  BAD_INDENT: { code: 'yaml-indentation' },
  MISSING_CHAR: { code: 'yaml-syntax' },
  DUPLICATE_KEY: { code: 'yaml-duplicate-key' },
  MULTIPLE_DOCS: {
    code: 'yaml-multiple-documents',
    message:
      "a workflow file holds one YAML document; remove the '---' separator and what follows, or put several workflows under 'workflows:'",
  },
  MULTILINE_IMPLICIT_KEY: { code: 'yaml-syntax' },
  BLOCK_AS_IMPLICIT_KEY: { code: 'yaml-syntax' },
  RESOURCE_EXHAUSTION: { code: 'yaml-too-many-aliases' },
};

export function loadYaml(source: string, file: string): LoadedFile {
  const lines = new LineCounter();
  const doc = parseDocument(source, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const diagnostics: Diagnostic[] = [];
  for (const e of doc.errors) diagnostics.push(yamlDiagnostic(e, 'error', file, lines));
  for (const w of doc.warnings) diagnostics.push(yamlDiagnostic(w, 'warning', file, lines));
  let data: unknown;
  if (doc.errors.length === 0) {
    try {
      data = doc.toJS({ maxAliasCount: 1000 });
    } catch (e) {
      // yaml throws on alias abuse (a "billion laughs" file); report it at the top.
      diagnostics.push({
        severity: 'error',
        code: 'yaml-too-many-aliases',
        message: e instanceof Error ? e.message : String(e),
        ...spanAt(file, lines, 0, 0),
        related: [],
      });
    }
  }
  return { file, source, doc, lines, data, diagnostics };
}

function yamlDiagnostic(
  e: YAMLError,
  severity: 'error' | 'warning',
  file: string,
  lines: LineCounter,
): Diagnostic {
  const known = YAML_CODES[e.code];
  const raw = e.message.split('\n')[0] ?? e.message;
  const message = known?.message ?? raw.replace(/ at line \d+, column \d+:?$/, '');
  return {
    severity,
    code: known?.code ?? `yaml-${e.code.toLowerCase().replace(/_/g, '-')}`,
    message,
    ...spanAt(file, lines, e.pos[0], e.pos[1]),
    related: [],
  };
}

export function spanAt(file: string, lines: LineCounter, start: number, end: number): Location {
  const a = lines.linePos(start);
  const b = lines.linePos(Math.max(end, start + 1));
  return { file, line: a.line, column: a.col, endLine: b.line, endColumn: b.col };
}

/**
 * The location of the node at `path`: its key (`part: 'key'`, for unknown or misnamed keys) or
 * its value. Walks as deep as the path exists; falls back to the closest existing ancestor.
 */
export function locate(
  loaded: LoadedFile,
  path: DataPath,
  part: 'key' | 'value' = 'value',
): Location {
  let node: unknown = loaded.doc.contents;
  let keyNode: unknown;
  for (const segment of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => keyText(p.key) === String(segment));
      if (pair === undefined) break;
      keyNode = pair.key;
      node = pair.value ?? pair.key;
    } else if (isSeq(node)) {
      const item: unknown = node.items[Number(segment)];
      if (item === undefined) break;
      keyNode = undefined;
      node = item;
    } else {
      break;
    }
  }
  const target = (part === 'key' && keyNode !== undefined ? keyNode : node) as Node | null;
  const range = target?.range;
  if (range === undefined || range === null) return spanAt(loaded.file, loaded.lines, 0, 0);
  return spanAt(loaded.file, loaded.lines, range[0], range[1]);
}

function keyText(key: unknown): string | undefined {
  if (isScalar(key)) return String(key.value);
  return undefined;
}
