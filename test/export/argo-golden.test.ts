/**
 * Golden exports: every example under workflows/ and every test/fixtures/export/NAME.yaml is
 * exported to Argo; the YAML must equal NAME.argo.yaml and the diagnostics (plus the printed
 * kubectl line) NAME.expected.txt, exactly. Every exported document is validated with the
 * published models (test/helpers/argo-models.ts). A fixture's first line `# export: FLAGS` gives
 * the flags; examples get --image=debian:12. RNX_UPDATE_GOLDEN=1 rewrites the golden files.
 */
import assert from 'node:assert/strict';
import { existsSync, globSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { exportArgoFile } from '../../src/export/argo/export-file.js';
import type { ArgoOptions } from '../../src/export/argo/workflow.js';
import { checkUpload } from '../../src/isolation/filesystem/uploads.js';
import { BUILTIN_NETWORKS } from '../../src/networks/builtins.js';
import type { Network } from '../../src/networks/types.js';
import { catalogOf } from '../../src/validate/host/catalog.js';
import { renderDiagnostics } from '../../src/validate/diagnostic.js';
import { parseAndValidate } from '../helpers/argo-models.js';
import { REPO_ROOT } from '../helpers/cli.js';

const FIXTURES = join(REPO_ROOT, 'test', 'fixtures', 'export');
const UPDATE = process.env['RNX_UPDATE_GOLDEN'] === '1';

const custom = (name: string, internal: boolean): Network => ({
  name,
  cidr: '10.40.0.0/24',
  bridge: `rnx-${name}`,
  builtin: false,
  internal,
  mode: 'custom',
});

/** What this fixture host knows: backend, frontend and app are open, db-net is --internal. */
export const NETWORKS: readonly Network[] = [
  ...BUILTIN_NETWORKS,
  custom('backend', false),
  custom('frontend', false),
  custom('app', false),
  custom('db-net', true),
];

function optionsOf(source: string): ArgoOptions {
  const line = /^# export:(.*)$/m.exec(source)?.[1] ?? ' --image=debian:12';
  const words = line.trim().split(/\s+/);
  const runtimeImages = new Map<string, string>();
  let image: string | undefined;
  let namespace: string | undefined;
  for (let i = 0; i < words.length; i++) {
    const w = words[i] ?? '';
    if (w.startsWith('--image=')) image = w.slice('--image='.length);
    else if (w.startsWith('--namespace=')) namespace = w.slice('--namespace='.length);
    else if (w === '--runtime-image') {
      const [runtime = '', img = ''] = (words[++i] ?? '').split('=');
      runtimeImages.set(runtime, img);
    }
  }
  return {
    runtimeImages,
    ...(image === undefined ? {} : { image }),
    ...(namespace === undefined ? {} : { namespace }),
  };
}

async function exportFile(
  file: string,
  workflow: string | undefined,
): Promise<{ yaml: string; text: string }> {
  const source = readFileSync(join(REPO_ROOT, file), 'utf8');
  const outcome = await exportArgoFile({
    file,
    ...(workflow === undefined ? {} : { workflow }),
    cwd: REPO_ROOT,
    catalog: catalogOf({
      checkUpload: (f, path, kind) => {
        const r = checkUpload(join(REPO_ROOT, f, '..'), path, kind);
        return r.ok ? undefined : r.problem;
      },
    }),
    networks: NETWORKS,
    options: optionsOf(source),
  });
  assert.notEqual(outcome.kind, 'several', `${file} holds one workflow`);
  if (outcome.kind === 'several') throw new Error('unreachable');
  const yaml = outcome.kind === 'exported' ? outcome.yaml : '';
  const secret =
    outcome.kind === 'exported' && outcome.secret !== undefined
      ? `\n\n${outcome.secret.command}`
      : '';
  const parameters =
    outcome.kind === 'exported' && outcome.parameters.length > 0
      ? `\n\nargo submit ${outcome.parameters.map((p) => `-p ${p}=VALUE`).join(' ')}`
      : '';
  const verdict = outcome.kind === 'exported' ? 'exported' : 'not exported';
  const diagnostics = renderDiagnostics(outcome.diagnostics, outcome.source);
  return {
    yaml,
    text: `${diagnostics}${diagnostics === '' ? '' : '\n\n'}${verdict}${secret}${parameters}\n`,
  };
}

function golden(path: string, actual: string): void {
  if (UPDATE) writeFileSync(path, actual);
  assert.ok(existsSync(path), `${path} exists (RNX_UPDATE_GOLDEN=1 writes it)`);
  assert.equal(actual, readFileSync(path, 'utf8'), `${basename(path)} is unchanged`);
}

interface Case {
  readonly file: string;
  readonly workflow?: string;
  /** Golden files are GOLDEN.argo.yaml and GOLDEN.expected.txt in test/fixtures/export. */
  readonly golden: string;
}

/** Examples (each workflow of a multi-workflow file on its own), then the fixtures. */
const cases: Case[] = [
  ...globSync('workflows/*.yaml', { cwd: REPO_ROOT })
    .sort()
    .flatMap((file): Case[] => {
      const stem = `example-${basename(file, '.yaml')}`;
      const data = parse(readFileSync(join(REPO_ROOT, file), 'utf8')) as Record<string, unknown>;
      const many = data['workflows'];
      if (typeof many !== 'object' || many === null) return [{ file, golden: stem }];
      return Object.keys(many).map((workflow) => ({
        file,
        workflow,
        golden: `${stem}-${workflow}`,
      }));
    }),
  ...globSync('*.yaml', { cwd: FIXTURES })
    .filter((f) => !f.endsWith('.argo.yaml'))
    .sort()
    .map((f) => ({ file: `test/fixtures/export/${f}`, golden: basename(f, '.yaml') })),
];

describe('argo export golden files', () => {
  for (const c of cases) {
    it(c.workflow === undefined ? c.file : `${c.file}:${c.workflow}`, async () => {
      const { yaml, text } = await exportFile(c.file, c.workflow);
      const base = join(FIXTURES, c.golden);
      golden(`${base}.expected.txt`, text);
      if (yaml !== '') {
        parseAndValidate(yaml);
        golden(`${base}.argo.yaml`, yaml);
      } else {
        assert.ok(!existsSync(`${base}.argo.yaml`), 'no YAML for a file that is not exported');
      }
    });
  }
});
