/**
 * Checks the data against schemas/workflow.schema.json and turns each error into a diagnostic at
 * the YAML node it is about, with wording for people. The validator is ajv's standalone code,
 * generated from the schema at build time (scripts/generate-schema-validator.ts): nothing compiles
 * the schema at run time.
 */
import type { ErrorObject, ValidateFunction } from 'ajv/dist/2020.js';
import schema from '../../../schemas/workflow.schema.json' with { type: 'json' };
import { validate as generated } from './generated/workflow-validator.js';
import { closest } from '../../suggest.js';
import type { Diagnostic } from '../diagnostic.js';
import type { DataPath, LoadedFile } from '../load/load.js';
import { locate } from '../load/load.js';
import { explain } from './messages.js';

const validate = generated as ValidateFunction;

export { schema as workflowSchema };

export function checkSchema(loaded: LoadedFile): Diagnostic[] {
  if (validate(loaded.data)) return [];
  const errors = withoutNoise(validate.errors ?? []);
  return errors.map((e) => toDiagnostic(loaded, e));
}

/** JSON pointer `/jobs/a~1b/0` → `['jobs', 'a/b', '0']`. */
export function pointerToPath(pointer: string): string[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/**
 * Drops errors that only repeat another: the branch errors under an `anyOf` or `oneOf` (which
 * says it better), `propertyNames` wrappers (the inner error names the key), and `if` wrappers.
 */
function withoutNoise(errors: readonly ErrorObject[]): ErrorObject[] {
  const anyOfs = errors.filter((e) => e.keyword === 'anyOf' || e.keyword === 'oneOf');
  const rootIsNotMap = errors.some((e) => e.instancePath === '' && e.keyword === 'type');
  const misspelt = new Set(
    errors
      .filter((e) => e.keyword === 'additionalProperties')
      .map((e) => {
        const key = String((e.params as Record<string, unknown>)['additionalProperty']);
        return `${e.instancePath}/${suggestKey(key, e.parentSchema) ?? ''}`;
      }),
  );
  return errors.filter((e) => {
    if (e.keyword === 'propertyNames' || e.keyword === 'if') return false;
    if (e.instancePath === '' && rootIsNotMap && e.keyword !== 'type') return false;
    if (e.keyword === 'required') {
      // `comand:` is reported as "did you mean 'command'?"; no need to also say 'command' is missing.
      const missing = String((e.params as Record<string, unknown>)['missingProperty']);
      if (misspelt.has(`${e.instancePath}/${missing}`)) return false;
    }
    if (e.keyword === 'anyOf' || e.keyword === 'oneOf') return true;
    return !anyOfs.some(
      (a) => a.instancePath === e.instancePath && e.schemaPath.startsWith(`${a.schemaPath}/`),
    );
  });
}

function toDiagnostic(loaded: LoadedFile, e: ErrorObject): Diagnostic {
  const path: DataPath = pointerToPath(e.instancePath);
  const params = e.params as Record<string, unknown>;
  const propertyName = (e as { propertyName?: string }).propertyName;
  let target: DataPath = path;
  let part: 'key' | 'value' = 'value';
  if (e.keyword === 'additionalProperties') {
    target = [...path, String(params['additionalProperty'])];
    part = 'key';
  } else if (propertyName !== undefined) {
    target = [...path, propertyName];
    part = 'key';
  } else if (e.keyword === 'required' || e.keyword === 'minProperties') {
    part = 'key';
  } else if (e.keyword === 'uniqueItems') {
    target = [...path, Number(params['i'])];
  }
  const text = explain(e, path, propertyName, suggestKey);
  return {
    severity: 'error',
    code: text.code,
    message: text.message,
    ...(text.hint === undefined ? {} : { hint: text.hint }),
    ...locate(loaded, target, part),
    related: [],
  };
}

function suggestKey(word: string, parentSchema: unknown): string | undefined {
  const properties = (parentSchema as { properties?: Record<string, unknown> }).properties;
  return properties === undefined ? undefined : closest(word, Object.keys(properties));
}
