/**
 * Large Argo exports: the YAML written in pieces is byte for byte one `yaml.stringify` of each
 * object, on a graph big enough to be split (daemons and their clients, volumes handed down a
 * chain or shared by parallel jobs, several networks); and a generated chain of thousands of jobs
 * exports through the whole use case and parses back, one task and one template per job.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { IWorkflow } from '@kubernetes-models/argo-workflows/argoproj.io/v1alpha1/Workflow';
import type { IPersistentVolumeClaim } from 'kubernetes-models/v1/PersistentVolumeClaim';
import { parseAllDocuments, stringify } from 'yaml';
import { PIECE_ITEMS, toYamlStream } from '../../src/export/argo/documents.js';
import { exportArgoFile } from '../../src/export/argo/export-file.js';
import { exportToArgo } from '../../src/export/argo/workflow.js';
import { BUILTIN_NETWORKS } from '../../src/networks/builtins.js';
import { catalogOf } from '../../src/validate/host/catalog.js';
import { loadYaml } from '../../src/validate/load/load.js';
import { validateWorkflow } from '../../src/validate/validate-workflow.js';
import { tempDir } from '../helpers/cli.js';
import { validChain } from '../helpers/generated-workflows.js';

/**
 * `groups` groups of jobs on the bridge network: a daemon `svc-G`, a chain `step-G-I` whose first
 * link requires it RUNNING and which hands the volume `vol-G` down, and a `side-G` job beside the
 * chain that mounts it too (so the claim may be shared), all after the previous group's last step.
 */
function mixedWorkflow(groups: number, steps: number): string {
  const lines = ['name: mixed', 'jobs:'];
  for (let g = 0; g < groups; g++) {
    const before = g === 0 ? [] : [`{ step-${g - 1}-${steps - 1}: COMPLETED }`];
    lines.push(
      `  svc-${g}: { command: sleep, args: [infinity], network: bridge, requires: [${before.join(', ')}] }`,
      `  side-${g}: { command: 'true', network: bridge, volumes: [vol-${g}], requires: [{ svc-${g}: RUNNING }] }`,
    );
    for (let i = 0; i < steps; i++) {
      const requires = i === 0 ? `{ svc-${g}: RUNNING }` : `{ step-${g}-${i - 1}: COMPLETED }`;
      lines.push(
        `  step-${g}-${i}: { command: sh, args: ['-c', 'echo ${g} ${i}'], network: bridge, volumes: [vol-${g}, all], requires: [${requires}] }`,
      );
    }
  }
  return `${lines.join('\n')}\n`;
}

function exportText(text: string): ReturnType<typeof exportToArgo> {
  const checked = validateWorkflow(text, 'w.yaml', catalogOf(), { checkEnvironment: false });
  assert.ok(checked.plan, checked.diagnostics.map((d) => d.message).join('; '));
  return exportToArgo({
    plan: checked.plan,
    loaded: loadYaml(text, 'w.yaml'),
    networks: BUILTIN_NETWORKS,
    uploads: new Map(),
    options: { runtimeImages: new Map(), image: 'debian:12' },
  });
}

describe('argo export: large workflows', () => {
  it('the YAML written in pieces equals one stringify of each object', () => {
    const r = exportText(mixedWorkflow(4, 40));
    const workflow = r.documents.find((d) => d.kind === 'Workflow') as IWorkflow;
    assert.ok((workflow.spec.templates?.length ?? 0) > PIECE_ITEMS, 'the templates are split');
    const whole = r.documents
      .map((d) => stringify(d, { aliasDuplicateObjects: false, lineWidth: 0 }))
      .join('---\n');
    assert.equal(toYamlStream(r.documents), whole);
  });

  it('daemons reach their clients down the chain; claims follow who may overlap', () => {
    const r = exportText(mixedWorkflow(3, 5));
    const workflow = r.documents.find((d) => d.kind === 'Workflow') as IWorkflow;
    const aliases = (name: string): string[] =>
      (workflow.spec.templates?.find((t) => t.name === `job-${name}`)?.hostAliases ?? []).flatMap(
        (a) => a.hostnames ?? [],
      );
    assert.deepEqual(aliases('step-0-4'), ['svc-0']);
    assert.deepEqual(aliases('step-2-3'), ['svc-0', 'svc-1', 'svc-2']);
    assert.deepEqual(aliases('svc-1'), ['svc-0']);
    const claims = r.documents.filter(
      (d) => d.kind === 'PersistentVolumeClaim',
    ) as IPersistentVolumeClaim[];
    assert.deepEqual(
      claims.map((c) => [c.metadata?.annotations?.['rnx/volume'], c.spec?.accessModes?.[0]]),
      [
        ['vol-0', 'ReadWriteMany'],
        ['all', 'ReadWriteOnce'],
        ['vol-1', 'ReadWriteMany'],
        ['vol-2', 'ReadWriteMany'],
      ],
    );
  });

  it('a chain of 5,000 jobs exports whole and parses back', async () => {
    const count = 5000;
    const { dir, cleanup } = tempDir('rnx-argo-large-');
    const file = join(dir, 'chain.yaml');
    writeFileSync(file, validChain(count));
    const outcome = await exportArgoFile({
      file,
      cwd: dir,
      catalog: catalogOf(),
      networks: BUILTIN_NETWORKS,
      options: { runtimeImages: new Map(), image: 'debian:12' },
    }).finally(cleanup);
    assert.equal(outcome.kind, 'exported');
    if (outcome.kind !== 'exported') return;
    const docs = parseAllDocuments(outcome.yaml);
    assert.ok(Array.isArray(docs), 'a stream of documents');
    const parsed = docs.map((d) => {
      assert.deepEqual(d.errors, []);
      return d.toJS() as { kind: string };
    });
    const workflow = parsed.find((d) => d.kind === 'Workflow') as IWorkflow | undefined;
    assert.ok(workflow);
    const dag = workflow.spec.templates?.[0]?.dag;
    assert.equal(dag?.tasks.length, count);
    assert.equal(workflow.spec.templates?.length, count + 1);
    assert.equal(dag?.tasks[count - 1]?.depends, 'job-004998.Succeeded');
  });
});
