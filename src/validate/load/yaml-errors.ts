/** YAML's own errors and warnings as diagnostics, with wording and hints for the common ones. */
import type { YAMLError } from 'yaml';
import type { Diagnostic, Location } from '../diagnostic.js';

interface Wording {
  readonly code: string;
  readonly message?: (e: YAMLError, source: string) => string;
  readonly hint?: string;
}

const RUNS_ON =
  "a value runs on into a key: a line indented deeper than the key above it, or a ': ' inside a value";
const INDENT_HINT = 'check the indentation of this line and the next: YAML reads them as one value';

const WORDING: Partial<Record<YAMLError['code'], Wording>> = {
  TAB_AS_INDENT: {
    code: 'yaml-tab',
    message: () => 'tabs are not allowed for indentation in YAML',
    hint: 'indent with spaces',
  },
  BAD_INDENT: {
    code: 'yaml-indentation',
    hint: 'indent every key of a map by the same number of spaces',
  },
  MULTILINE_IMPLICIT_KEY: { code: 'yaml-indentation', message: () => RUNS_ON, hint: INDENT_HINT },
  BLOCK_AS_IMPLICIT_KEY: { code: 'yaml-indentation', message: () => RUNS_ON, hint: INDENT_HINT },
  MULTIPLE_DOCS: {
    code: 'yaml-multiple-documents',
    message: () => 'a workflow file holds one YAML document, and this one has several',
    hint: "remove the '---' separator and what follows, or put several workflows under 'workflows:'",
  },
  MISSING_CHAR: { code: 'yaml-syntax' },
  RESOURCE_EXHAUSTION: { code: 'yaml-too-many-aliases' },
};

export function yamlDiagnostics(
  errors: readonly YAMLError[],
  warnings: readonly YAMLError[],
  source: string,
  span: (start: number, end: number) => Location,
): Diagnostic[] {
  const out: Diagnostic[] = [];
  const seen = new Set<number>();
  const add = (e: YAMLError, severity: 'error' | 'warning'): void => {
    if (seen.has(e.pos[0])) return; // yaml often reports one mistake twice at the same place
    seen.add(e.pos[0]);
    const w = WORDING[e.code];
    const own = (e.message.split('\n')[0] ?? e.message).replace(/ at line \d+, column \d+:?$/, '');
    const location = span(e.pos[0], e.pos[1]);
    out.push({
      severity,
      code: w?.code ?? `yaml-${e.code.toLowerCase().replace(/_/g, '-')}`,
      message: w?.message?.(e, source) ?? own,
      ...(w?.hint === undefined ? {} : { hint: w.hint }),
      ...location,
      related: [],
    });
  };
  for (const e of errors) add(e, 'error');
  for (const e of warnings) add(e, 'warning');
  return out;
}
