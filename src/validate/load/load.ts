/**
 * Loads a workflow file's text into a YAML document that keeps every node's source range, and
 * turns YAML's own complaints (tabs, bad indentation, duplicate keys, several documents...) into
 * diagnostics. `locate` maps a path in the data (`['jobs', 'api', 'network']`) back to the text.
 */
import { isMap, isScalar, isSeq, LineCounter, parseDocument } from 'yaml';
import type { Document, Node, Pair, YAMLMap } from 'yaml';
import type { Diagnostic, Location } from '../diagnostic.js';
import { findTooDeep, MAX_NESTING } from './nesting.js';
import { checkDuplicateKeys } from '../rules/duplicate-keys.js';
import { yamlDiagnostics } from './yaml-errors.js';

export type PathSegment = string | number;
export type DataPath = readonly PathSegment[];

export interface LoadedFile {
  readonly file: string;
  readonly source: string;
  /** The YAML document with every node's source range (parsed again if it was released). */
  document(): Document.Parsed;
  /**
   * Lets the document go: it is most of the memory a large file takes (a 100,000-job file's is
   * about 1 GB), and past the first checks only diagnostics need it, through locate().
   */
  release(): void;
  readonly lines: LineCounter;
  /** The plain data (maps become objects); undefined when the YAML itself is broken. */
  readonly data: unknown;
  /** YAML syntax errors and warnings. Later stages run only when none of them is an error. */
  readonly diagnostics: readonly Diagnostic[];
  /**
   * Keys written twice in one map (checked only when the YAML itself is sound). Errors, but later
   * stages still run on the data, which keeps the last value.
   */
  readonly duplicateKeys: readonly Diagnostic[];
}

/** What loading found, without the document: what a worker thread hands back (load-large.ts). */
export type LoadFindings = Pick<LoadedFile, 'data' | 'diagnostics' | 'duplicateKeys'>;

const MAX_ALIASES = 1000;

const OPTIONS = {
  prettyErrors: false,
  uniqueKeys: false, // checked in one pass by rules/duplicate-keys.ts
  merge: true, // `<<: *base` merge keys, as in Compose files
  // Plain data only: no !!binary or !!set objects, and no warnings printed by yaml itself.
  resolveKnownTags: false,
  logLevel: 'error',
} as const;

export function loadYaml(source: string, file: string): LoadedFile {
  const lines = new LineCounter();
  // The parser recurses once per level: measure nesting first and stop a file past the limit.
  const deep = findTooDeep(source);
  const text = deep === undefined ? source : '';
  let doc: Document.Parsed | undefined = parseDocument(text, { ...OPTIONS, lineCounter: lines });
  const parsed = doc;
  const document = (): Document.Parsed => (doc ??= parseDocument(text, OPTIONS));
  const release = (): void => {
    doc = undefined;
  };
  if (deep !== undefined) {
    // The lines of the real text, for the location (the empty text parsed gave the first).
    addLines(lines, source);
    const diagnostic: Diagnostic = {
      severity: 'error',
      code: 'yaml-too-deep',
      message: `the file nests lists and maps more than ${String(MAX_NESTING)} levels deep`,
      hint: `a workflow needs about 6 levels; rnx reads at most ${String(MAX_NESTING)}`,
      ...spanAt(file, lines, deep.offset, deep.offset + 1),
      related: [],
    };
    const diagnostics = [diagnostic];
    return {
      file,
      source,
      document,
      release,
      lines,
      data: undefined,
      diagnostics,
      duplicateKeys: [],
    };
  }
  const diagnostics = yamlDiagnostics(parsed.errors, parsed.warnings, source, (start, end) =>
    spanAt(file, lines, start, end),
  );
  let data: unknown;
  let duplicateKeys: Diagnostic[] = [];
  if (parsed.errors.length === 0) {
    duplicateKeys = checkDuplicateKeys(parsed.contents, (range) =>
      spanAt(file, lines, range?.[0] ?? 0, range?.[1] ?? 0),
    );
    try {
      data = parsed.toJS({ maxAliasCount: MAX_ALIASES });
    } catch (e) {
      // yaml throws on alias abuse (a "billion laughs" file); report it at the top.
      diagnostics.push({
        severity: 'error',
        code: 'yaml-too-many-aliases',
        message: `aliases (*name) expand to too many values (${e instanceof Error ? e.message : String(e)})`,
        hint: `write the values out, or use fewer aliases of aliases (at most ${MAX_ALIASES} expansions)`,
        ...spanAt(file, lines, 0, 0),
        related: [],
      });
    }
  }
  return { file, source, document, release, lines, data, diagnostics, duplicateKeys };
}

/**
 * A loaded file from what loading found elsewhere (a worker thread): the line index is made again
 * from the text, and the document is parsed only if a diagnostic has to be located in it.
 */
export function loadedFrom(source: string, file: string, found: LoadFindings): LoadedFile {
  const lines = new LineCounter();
  lines.addNewLine(0);
  addLines(lines, source);
  let doc: Document.Parsed | undefined;
  return {
    file,
    source,
    // A file too deep for the parser has an empty document, as in loadYaml.
    document: () =>
      (doc ??= parseDocument(findTooDeep(source) === undefined ? source : '', OPTIONS)),
    release: () => {
      doc = undefined;
    },
    lines,
    ...found,
  };
}

/** The start of every line after the first, as the parser reports them. */
function addLines(lines: LineCounter, source: string): void {
  for (let at = source.indexOf('\n'); at !== -1; at = source.indexOf('\n', at + 1)) {
    lines.addNewLine(at + 1);
  }
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
  let node: unknown = loaded.document().contents;
  let keyNode: unknown;
  for (const segment of path) {
    if (isMap(node)) {
      const pair = pairsByKey(node).get(String(segment));
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

/** A map's pairs by key text, made once per map: locating 8,000 diagnostics in a map of 8,000 jobs. */
const byKey = new WeakMap<YAMLMap, Map<string, Pair>>();
function pairsByKey(map: YAMLMap): Map<string, Pair> {
  let found = byKey.get(map);
  if (found === undefined) {
    found = new Map();
    for (const pair of map.items) {
      const key = keyText(pair.key);
      if (key !== undefined && !found.has(key)) found.set(key, pair);
    }
    byKey.set(map, found);
  }
  return found;
}

function keyText(key: unknown): string | undefined {
  if (isScalar(key)) return String(key.value);
  return undefined;
}
