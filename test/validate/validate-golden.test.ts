/**
 * Golden tests: each test/fixtures/validate/NAME.yaml is validated and its rendered diagnostics
 * must equal NAME.expected.txt exactly. A first line `# selected workflow: NAME` selects a
 * workflow. Together the fixtures cover every diagnostic code validation can produce.
 */
import assert from 'node:assert/strict';
import { globSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  parseGroup,
  parsePasswd,
  resolveUser,
  type UserDatabase,
} from '../../src/isolation/start/job-user.js';
import { catalogOf } from '../../src/validate/host/catalog.js';
import { renderDiagnostics } from '../../src/validate/diagnostic.js';
import { readText } from '../../src/validate/load/read-file.js';
import { validateWorkflow } from '../../src/validate/validate-workflow.js';
import { REPO_ROOT } from '../helpers/cli.js';

const DIR = join(REPO_ROOT, 'test', 'fixtures', 'validate');
/** A literal user database: the host's in the CLI, the runtime's for a job with one. */
const USERS: UserDatabase = {
  passwd: parsePasswd(
    'root:x:0:0::/root:/bin/sh\npostgres:x:101:104::/var/lib/postgresql:/bin/sh\n',
  ),
  groups: parseGroup('root:x:0:\npostgres:x:104:\nssl-cert:x:103:postgres\n'),
  where: 'the host',
};
const CATALOG = catalogOf({
  networks: ['backend'],
  volumes: ['data'],
  runtimes: ['python-3.11'],
  checkUser: (user) => {
    const resolved = resolveUser(user, USERS);
    return resolved.ok ? undefined : resolved.problem;
  },
});

const EVERY_CODE = [
  'yaml-tab',
  'yaml-indentation',
  'yaml-duplicate-key',
  'yaml-multiple-documents',
  'yaml-syntax',
  'yaml-too-many-aliases',
  'unknown-key',
  'missing-key',
  'wrong-type',
  'unknown-condition',
  'invalid-name',
  'invalid-value',
  'out-of-range',
  'empty-value',
  'empty-map',
  'no-jobs',
  'jobs-and-workflows',
  'invalid-requirement',
  'duplicate-item',
  'unknown-job',
  'self-requirement',
  'duplicate-requirement',
  'cycle',
  'missing-network',
  'missing-volume',
  'missing-runtime',
  'gpu-unsupported',
  'duplicate-limit',
  'upload-outside',
  'env-conflict',
  'no-such-workflow',
  'unknown-signal',
  'no-probe',
  'several-probes',
  'invalid-regex',
  'invalid-url',
  'matrix-name-clash',
  'matrix-name-invalid',
  'unknown-matrix-key',
  'output-reference-matrix',
  'output-reference-not-upstream',
  'output-reference-shared',
  'output-reference-unknown',
  'artifact-outside',
  'env-unset',
  'env-file-unreadable',
  'unknown-capability',
  'yaml-too-deep',
  'env-too-large',
  'env-unsafe',
  'user-unknown',
  'group-unknown',
];

function check(name: string): { codes: string[] } {
  const source = readFileSync(join(DIR, `${name}.yaml`), 'utf8');
  const workflow = /^# selected workflow: (\S+)/.exec(source)?.[1];
  const result = validateWorkflow(source, `${name}.yaml`, CATALOG, {
    ...(workflow === undefined ? {} : { workflow }),
    // env_file names resolve against '/' (the default cwd): read them from the fixtures.
    readEnvFile: (path) => readText(join(DIR, path)),
  });
  const expected = readFileSync(join(DIR, `${name}.expected.txt`), 'utf8');
  assert.equal(`${renderDiagnostics(result.diagnostics, source)}\n`, expected);
  return { codes: result.diagnostics.map((d) => d.code) };
}

const names = readdirSync(DIR)
  .filter((f) => f.endsWith('.yaml'))
  .map((f) => f.replace(/\.yaml$/, ''))
  .sort();

describe('diagnostic text (golden files)', () => {
  const seen = new Set<string>();
  for (const name of names) {
    it(`renders ${name}.yaml exactly as ${name}.expected.txt`, () => {
      for (const code of check(name).codes) seen.add(code);
    });
  }
  it('covers every diagnostic code', () => {
    for (const name of names) for (const code of check(name).codes) seen.add(code);
    assert.deepEqual(
      EVERY_CODE.filter((c) => !seen.has(c)),
      [],
    );
  });
  it('lists every code the validator source can produce', () => {
    const sources = globSync('src/validate/**/*.ts', { cwd: REPO_ROOT });
    const inSource = new Set<string>();
    for (const f of sources) {
      for (const m of readFileSync(join(REPO_ROOT, f), 'utf8').matchAll(/code: '([a-z-]+)'/g)) {
        inSource.add(m[1] ?? '');
      }
    }
    inSource.delete('unreadable-file'); // the file-reading wrapper's; tested through the CLI
    assert.deepEqual([...inSource].filter((c) => !EVERY_CODE.includes(c)).sort(), []);
  });

  it('reports every mistake of a file in one run', () => {
    const { codes } = check('everything-at-once');
    assert.deepEqual(
      new Set(codes),
      new Set([
        'unknown-key',
        'missing-network',
        'unknown-condition',
        'unknown-job',
        'invalid-value',
        'self-requirement',
      ]),
    );
  });
});
