/** Every example in workflows/ is valid, and the schema is a valid JSON Schema 2020-12 document. */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { catalogOf } from '../../src/validate/host/catalog.js';
import { validateWorkflow } from '../../src/validate/validate-workflow.js';
import { REPO_ROOT } from '../helpers/cli.js';

const DIR = join(REPO_ROOT, 'workflows');
/** The custom networks and volumes the examples name (their headers say how to create them). */
const CATALOG = catalogOf({ networks: ['backend', 'frontend'], volumes: ['pgdata'] });

describe('example workflows', () => {
  const files = readdirSync(DIR)
    .filter((f) => f.endsWith('.yaml'))
    .sort();

  it('include the microservices, diamond and cleanup-on-failure examples', () => {
    for (const name of ['microservices.yaml', 'diamond.yaml', 'cleanup-on-failure.yaml']) {
      assert.ok(files.includes(name), name);
    }
  });

  for (const name of files) {
    it(`${name} is valid, without even a warning, and points editors at the schema`, () => {
      const source = readFileSync(join(DIR, name), 'utf8');
      const r = validateWorkflow(source, `workflows/${name}`, CATALOG, { cwd: REPO_ROOT });
      assert.deepEqual(r.diagnostics, []);
      assert.ok(r.plans.length >= 1);
      assert.match(
        source,
        /^# yaml-language-server: \$schema=\.\.\/schemas\/workflow\.schema\.json$/m,
      );
    });
  }

  it('diamond.yaml (the quick start) needs nothing but the built-in networks', () => {
    const source = readFileSync(join(DIR, 'diamond.yaml'), 'utf8');
    const r = validateWorkflow(source, 'diamond.yaml', catalogOf());
    assert.deepEqual(r.diagnostics, []);
  });

  it('cleanup-on-failure.yaml uses FAILED for its cleanup job', () => {
    const source = readFileSync(join(DIR, 'cleanup-on-failure.yaml'), 'utf8');
    const plan = validateWorkflow(source, 'c.yaml', catalogOf()).plan;
    assert.deepEqual(plan?.jobs.find((j) => j.name === 'cleanup')?.requires, [
      { job: 'build', condition: 'FAILED' },
    ]);
  });
});

describe('schemas/workflow.schema.json', () => {
  it('is a valid JSON Schema 2020-12 document that compiles in strict mode', () => {
    const schema = JSON.parse(
      readFileSync(join(REPO_ROOT, 'schemas', 'workflow.schema.json'), 'utf8'),
    ) as object;
    const ajv = new Ajv2020({ allowUnionTypes: true }); // strict by default: unknown keywords throw
    ajv.addKeyword({ keyword: 'x-message', schemaType: 'string' });
    assert.equal(ajv.validateSchema(schema), true, JSON.stringify(ajv.errors));
    assert.equal(typeof ajv.compile(schema), 'function');
  });
});
