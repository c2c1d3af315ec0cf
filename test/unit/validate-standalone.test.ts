/**
 * The validator generated at build time (ajv standalone code) says exactly what ajv says when it
 * compiles schemas/workflow.schema.json itself, with the same options: same verdict, same errors,
 * for every golden fixture and every example workflow.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import { parse } from 'yaml';
import schema from '../../schemas/workflow.schema.json' with { type: 'json' };
import { validate as standalone } from '../../src/validate/schema/generated/workflow-validator.js';
import { ANNOTATION_KEYWORDS, SCHEMA_OPTIONS } from '../../src/validate/schema/options.js';
import { REPO_ROOT } from '../helpers/cli.js';

function compiled() {
  const ajv = new Ajv2020(SCHEMA_OPTIONS);
  for (const keyword of ANNOTATION_KEYWORDS) ajv.addKeyword({ keyword, schemaType: 'string' });
  return ajv.compile(schema);
}

function documents(): [string, unknown][] {
  const out: [string, unknown][] = [];
  for (const dir of ['test/fixtures/validate', 'workflows']) {
    for (const name of readdirSync(join(REPO_ROOT, dir)).filter((f) => f.endsWith('.yaml'))) {
      const text = readFileSync(join(REPO_ROOT, dir, name), 'utf8');
      try {
        out.push([`${dir}/${name}`, parse(text, { uniqueKeys: false }) as unknown]);
      } catch {
        // YAML syntax fixtures never reach the schema.
      }
    }
  }
  return out;
}

const generated = standalone as ValidateFunction;

describe('standalone schema validator', () => {
  it('agrees with ajv compiling the schema, error for error', () => {
    const reference = compiled();
    const checked = documents();
    assert.ok(checked.length > 20, `only ${String(checked.length)} documents`);
    let invalid = 0;
    for (const [name, data] of checked) {
      const expected = reference(data);
      const expectedErrors = reference.errors ?? null;
      const got = generated(data);
      assert.equal(got, expected, name);
      assert.deepEqual(generated.errors ?? null, expectedErrors, name);
      if (!expected) invalid++;
    }
    assert.ok(invalid > 5, 'the fixtures include invalid documents');
  });
});
