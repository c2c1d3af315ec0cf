/**
 * `rnx workflow export` as a user runs it: YAML on stdout (or in --out), diagnostics and the
 * kubectl line on stderr, exit 0 / 2, a custom network's kind read from this host's store, and
 * no stack traces.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { parseAndValidate } from '../helpers/argo-models.js';
import { runCli, tempDir } from '../helpers/cli.js';

const tmp = tempDir('rnx-export-');
after(() => tmp.cleanup());
const state = join(tmp.dir, 'state');

function file(name: string, text: string): string {
  const path = join(tmp.dir, name);
  writeFileSync(path, text);
  return path;
}

describe('rnx workflow export --target=argo', () => {
  it('prints one valid multi-document YAML with the Workflow last', async () => {
    const r = await runCli(
      ['workflow', 'export', 'workflows/diamond.yaml', '--target=argo', '--image=debian:12'],
      { stateDir: state },
    );
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, '');
    const docs = parseAndValidate(r.stdout);
    assert.deepEqual(
      docs.map((d) => d.kind),
      ['NetworkPolicy', 'Workflow'],
    );
  });

  it('needs no state directory, and makes none', async () => {
    const none = join(tmp.dir, 'no-state-here');
    const r = await runCli(
      ['workflow', 'export', 'workflows/diamond.yaml', '--target=argo', '--image=debian:12'],
      { stateDir: none },
    );
    assert.equal(r.code, 0, r.stderr);
    assert.ok(!existsSync(none), 'the export created no state directory');
  });

  it('reads whether a custom network is --internal from this host', async () => {
    const made = await runCli(
      ['network', 'create', 'db-net', '--cidr=10.77.0.0/24', '--internal'],
      { stateDir: state },
    );
    assert.equal(made.code, 0, made.stderr);
    const wf = file('internal.yaml', 'jobs:\n  store: { command: "true", network: db-net }\n');
    const r = await runCli(['workflow', 'export', wf, '--target=argo', '--image=debian:12'], {
      stateDir: state,
    });
    assert.equal(r.code, 0, r.stderr);
    const policy = parseAllDocuments(r.stdout)[0]?.toJS() as {
      spec: { egress: unknown[] };
      metadata: { annotations: Record<string, string> };
    };
    assert.equal(policy.metadata.annotations['rnx/network-kind'], 'internal');
    assert.match(r.stderr, /warning argo-network-api-server/);
    await runCli(['network', 'remove', 'db-net'], { stateDir: state });
  });

  it('writes --out, and prints the kubectl line for the Secret on stderr', async () => {
    const wf = file(
      'secret.yaml',
      'secret_environment: { PASSWORD: hunter2 }\njobs:\n  a: { command: "true" }\n',
    );
    const out = join(tmp.dir, 'secret.argo.yaml');
    const r = await runCli(
      [
        'workflow',
        'export',
        wf,
        '--target=argo',
        '--image=debian:12',
        '--namespace=ci',
        `--out=${out}`,
      ],
      { stateDir: state },
    );
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, '');
    assert.match(
      r.stderr,
      /kubectl create secret generic secret-secrets --namespace=ci --from-literal=PASSWORD="\$PASSWORD"\n$/,
    );
    const yaml = readFileSync(out, 'utf8');
    assert.doesNotMatch(yaml + r.stderr, /hunter2/);
    parseAndValidate(yaml);
  });

  it('an invalid file or a mapping error: diagnostics, nothing on stdout, exit 2', async () => {
    const r = await runCli(
      [
        'workflow',
        'export',
        'test/fixtures/export/daemon-awaited.yaml',
        '--target=argo',
        '--image=x',
      ],
      { stateDir: state },
    );
    assert.equal(r.code, 2);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /error argo-daemon-result/);
    assert.match(r.stderr, /daemon-awaited.yaml: not exported\n$/);
    const bad = await runCli(
      ['workflow', 'export', file('bad.yaml', 'jobs:\n  a: { comand: x }\n'), '--target=argo'],
      {
        stateDir: state,
      },
    );
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /error unknown-key/);
    assert.doesNotMatch(bad.stderr, /\n\s+at .+:\d+:\d+/);
  });

  it('usage mistakes: no target, unknown target, bad --runtime-image, several workflows', async () => {
    const cases: [string[], RegExp][] = [
      [['workflows/diamond.yaml'], /name a target: --target=argo/],
      [['workflows/diamond.yaml', '--target=tekton'], /unknown target 'tekton'/],
      [
        ['workflows/diamond.yaml', '--target=argo', '--runtime-image', 'py'],
        /is not RUNTIME=IMAGE/,
      ],
      [['workflows/pipelines.yaml', '--target=argo'], /holds several workflows: nightly, release/],
      [
        ['workflows/diamond.yaml', '--target=argo', '--namespace=My_NS'],
        /not a Kubernetes namespace/,
      ],
    ];
    for (const [args, message] of cases) {
      const r = await runCli(['workflow', 'export', ...args], { stateDir: state });
      assert.equal(r.code, 2, args.join(' '));
      assert.match(r.stderr, message);
    }
  });
});
