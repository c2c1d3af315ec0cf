/**
 * The Argo mapping, field by field, on literal workflows: the `depends` expression of every
 * condition, daemons and the names of their clients, the DAG's failure rules, the policy of each
 * network kind, limits, deadlines, retries, volumes, secrets and escaping. Every export is also
 * validated with the published models.
 */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { ITemplate } from '@kubernetes-models/argo-workflows/argoproj.io/v1alpha1/Template';
import type { IWorkflow } from '@kubernetes-models/argo-workflows/argoproj.io/v1alpha1/Workflow';
import type { INetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import type { IConfigMap } from 'kubernetes-models/v1/ConfigMap';
import type { IPersistentVolumeClaim } from 'kubernetes-models/v1/PersistentVolumeClaim';
import { escapeKubernetes } from '../../src/export/argo/escape.js';
import { readUploads } from '../../src/export/argo/read-uploads.js';
import { cpuQuantity, memoryQuantity } from '../../src/export/argo/resources.js';
import type { ArgoExport, ArgoOptions } from '../../src/export/argo/workflow.js';
import { exportToArgo } from '../../src/export/argo/workflow.js';
import { BUILTIN_NETWORKS } from '../../src/networks/builtins.js';
import type { Network } from '../../src/networks/types.js';
import { catalogOf } from '../../src/validate/host/catalog.js';
import { loadYaml } from '../../src/validate/load/load.js';
import { validateWorkflow } from '../../src/validate/validate-workflow.js';
import { validateDocument } from '../helpers/argo-models.js';
import { tempDir } from '../helpers/cli.js';

const NETWORKS: readonly Network[] = [
  ...BUILTIN_NETWORKS,
  {
    name: 'app',
    cidr: '10.1.0.0/24',
    bridge: 'rnx-app',
    builtin: false,
    internal: false,
    mode: 'custom',
  },
  {
    name: 'db-net',
    cidr: '10.2.0.0/24',
    bridge: 'rnx-db-net',
    builtin: false,
    internal: true,
    mode: 'custom',
  },
];

function exportText(text: string, options: Partial<ArgoOptions> = {}): ArgoExport {
  const checked = validateWorkflow(text, 'w.yaml', catalogOf(), { checkEnvironment: false });
  assert.ok(checked.plan, checked.diagnostics.map((d) => d.message).join('; '));
  const result = exportToArgo({
    plan: checked.plan,
    loaded: loadYaml(text, 'w.yaml'),
    networks: NETWORKS,
    uploads: new Map(),
    options: { runtimeImages: new Map(), image: 'debian:12', ...options },
  });
  for (const doc of result.documents) validateDocument(doc as never);
  return result;
}

function workflowOf(result: ArgoExport): IWorkflow {
  const wf = result.documents.find((d) => d.kind === 'Workflow');
  assert.ok(wf, 'a Workflow was exported');
  return wf as IWorkflow;
}

function dependsOf(result: ArgoExport): Record<string, string | undefined> {
  const dag = workflowOf(result).spec.templates?.find((t) => t.name === 'dag')?.dag;
  return Object.fromEntries((dag?.tasks ?? []).map((t) => [t.name, t.depends]));
}

function template(result: ArgoExport, job: string): ITemplate {
  const t = workflowOf(result).spec.templates?.find((x) => x.name === `job-${job}`);
  assert.ok(t, `template of ${job}`);
  return t;
}

function codes(result: ArgoExport): string[] {
  return result.diagnostics.map((d) => `${d.line}:${d.severity}:${d.code}`);
}

describe('argo export: requires as depends', () => {
  it('a diamond joins with &&', () => {
    const r = exportText(`
jobs:
  a: { command: 'true' }
  b: { command: 'true', requires: [{ a: COMPLETED }] }
  c: { command: 'true', requires: [{ a: COMPLETED }] }
  d: { command: 'true', requires: [{ b: COMPLETED }, { c: COMPLETED }] }
`);
    assert.deepEqual(dependsOf(r), {
      a: undefined,
      b: 'a.Succeeded',
      c: 'a.Succeeded',
      d: 'b.Succeeded && c.Succeeded',
    });
  });

  it('FAILED, FINISHED and COMPLETED on one build; the DAG runs every branch and fails on any failure', () => {
    const r = exportText(`
jobs:
  build: { command: 'false' }
  cleanup: { command: 'true', requires: [{ build: FAILED }] }
  publish: { command: 'true', requires: [{ build: COMPLETED }] }
  summary: { command: 'true', requires: [{ build: FINISHED }] }
`);
    assert.deepEqual(dependsOf(r), {
      build: undefined,
      cleanup: 'build.Failed',
      publish: 'build.Succeeded',
      summary: '(build.Succeeded || build.Failed)',
    });
    const dag = workflowOf(r).spec.templates?.[0]?.dag;
    assert.equal(dag?.failFast, false);
    assert.equal(dag?.target, 'build cleanup publish summary');
    assert.deepEqual(codes(r), []);
  });

  it('RUNNING makes a daemon; clients on its network get its address by name', () => {
    const r = exportText(`
jobs:
  api: { command: 'sleep', args: ['infinity'], network: app }
  client: { command: 'true', network: app, requires: [{ api: RUNNING }] }
  later: { command: 'true', network: app, requires: [{ client: COMPLETED }] }
  elsewhere: { command: 'true', network: bridge, requires: [{ api: RUNNING }] }
  lonely: { command: 'true', network: isolated, requires: [{ api: RUNNING }] }
`);
    assert.equal(template(r, 'api').daemon, true);
    assert.equal(template(r, 'client').daemon, undefined);
    assert.equal(dependsOf(r)['client'], 'api.Daemoned');
    for (const job of ['client', 'later']) {
      assert.deepEqual(template(r, job).hostAliases, [
        { ip: '{{inputs.parameters.ip-api}}', hostnames: ['api'] },
      ]);
      const task = workflowOf(r).spec.templates?.[0]?.dag?.tasks.find((t) => t.name === job);
      assert.deepEqual(task?.arguments?.parameters, [
        { name: 'ip-api', value: '{{tasks.api.ip}}' },
      ]);
    }
    // Another network, or one whose jobs reach nobody: no name for the service, as in rnx.
    assert.equal(template(r, 'elsewhere').hostAliases, undefined);
    assert.equal(template(r, 'lonely').hostAliases, undefined);
    assert.deepEqual(codes(r), ['3:warning:argo-daemon-lifetime']);
  });

  it("a daemon's result cannot be waited for: an error at the requirement", () => {
    const r = exportText(`
jobs:
  api: { command: 'sleep', args: ['infinity'] }
  client: { command: 'true', requires: [{ api: RUNNING }] }
  after:
    command: 'true'
    requires:
      - api: FINISHED
`);
    assert.deepEqual(codes(r), ['3:warning:argo-daemon-lifetime', '8:error:argo-daemon-result']);
    assert.equal(r.documents.length, 0);
  });

  it('names Argo expressions cannot hold become job-NAME tasks', () => {
    const r = exportText(`
jobs:
  not: { command: 'true' }
  9lives: { command: 'true', requires: [{ not: COMPLETED }] }
`);
    assert.deepEqual(dependsOf(r), { 'job-not': undefined, 'job-9lives': 'job-not.Succeeded' });
  });
});

describe('argo export: networks as NetworkPolicies', () => {
  const r = exportText(`
jobs:
  web: { command: 'true', network: app }
  crawler: { command: 'true', network: isolated }
  store: { command: 'true', network: db-net }
  offline: { command: 'true', network: none }
  default: { command: 'true' }
`);
  const policy = (network: string): INetworkPolicy => {
    const p = r.documents.find(
      (d) =>
        d.kind === 'NetworkPolicy' &&
        (d as INetworkPolicy).metadata?.name === `rnx-network-${network}`,
    );
    assert.ok(p, `policy of ${network}`);
    return p as INetworkPolicy;
  };
  const peers = { podSelector: { matchLabels: { 'rnx/network': 'app' } } };

  it('every pod carries its network label', () => {
    assert.deepEqual(template(r, 'store').metadata?.labels?.['rnx/network'], 'db-net');
    assert.deepEqual(template(r, 'default').metadata?.labels?.['rnx/network'], 'bridge');
  });

  it('a custom network: its pods reach each other, the outside and DNS; only its pods reach them', () => {
    const spec = policy('app').spec;
    assert.deepEqual(spec?.podSelector, peers.podSelector);
    assert.deepEqual(spec?.policyTypes, ['Ingress', 'Egress']);
    assert.deepEqual(spec?.ingress, [{ from: [peers] }]);
    assert.deepEqual(spec?.egress?.[0], { to: [peers] });
    assert.deepEqual(spec?.egress?.[1], { to: [{ ipBlock: { cidr: '0.0.0.0/0' } }] });
    assert.deepEqual(spec?.egress?.[2]?.ports, [
      { protocol: 'UDP', port: 53 },
      { protocol: 'TCP', port: 53 },
    ]);
    assert.deepEqual(policy('bridge').spec?.egress?.length, 3);
  });

  it('isolated: the outside and DNS, nothing in, not each other', () => {
    const spec = policy('isolated').spec;
    assert.equal(spec?.ingress, undefined);
    assert.equal(spec?.egress?.length, 2);
    assert.deepEqual(spec?.egress?.[0], { to: [{ ipBlock: { cidr: '0.0.0.0/0' } }] });
  });

  it('--internal: only each other, both ways, no DNS', () => {
    const own = { podSelector: { matchLabels: { 'rnx/network': 'db-net' } } };
    assert.deepEqual(policy('db-net').spec?.ingress, [{ from: [own] }]);
    assert.deepEqual(policy('db-net').spec?.egress, [{ to: [own] }]);
  });

  it('none: no ingress, no egress', () => {
    const spec = policy('none').spec;
    assert.deepEqual(spec?.policyTypes, ['Ingress', 'Egress']);
    assert.equal(spec?.ingress, undefined);
    assert.equal(spec?.egress, undefined);
  });

  it('networks whose pods reach little are told about the API server', () => {
    assert.deepEqual(codes(r), [
      '5:warning:argo-network-api-server',
      '6:warning:argo-network-api-server',
    ]);
  });
});

describe('argo export: the published models', () => {
  it('reject a document that breaks their schema, so the checks above can fail', () => {
    const broken = {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Workflow',
      metadata: { generateName: 'x-' },
      spec: { entrypoint: 'dag', templates: [{ name: 'dag', container: { image: 5 } }] },
    };
    assert.throws(() => validateDocument(broken), /image must be string/);
    const policy = {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'p' },
      spec: { podSelector: {}, policyTypes: ['Sideways'] },
    };
    assert.throws(() => validateDocument(policy), /allowed values/);
    assert.throws(() => validateDocument({ apiVersion: 'v1', kind: 'Secret' }), /unexpected kind/);
  });
});

describe('argo export: the container', () => {
  it('limits, deadline, retries, and warnings for what Kubernetes cannot limit', () => {
    const r = exportText(`
jobs:
  train:
    command: python3
    resources: { max_cpu: 250, max_memory: 512, max_processes: 10, max_io_bps: 1M, cpu_cores: '0' }
    timeout: 90s
    retries: 2
`);
    const t = template(r, 'train');
    assert.deepEqual(t.container?.resources, { limits: { cpu: '2500m', memory: '512Mi' } });
    assert.equal(t.activeDeadlineSeconds, 90);
    assert.deepEqual(t.retryStrategy, {
      limit: 2,
      retryPolicy: 'Always',
      backoff: { duration: '1s', factor: 2, cap: '30s' },
    });
    assert.deepEqual(codes(r), [
      '5:warning:argo-no-pids-limit',
      '5:warning:argo-no-io-limit',
      '5:warning:argo-no-cpu-pinning',
    ]);
  });

  it('quantities', () => {
    assert.equal(cpuQuantity(250), '2500m');
    assert.equal(cpuQuantity(50), '500m');
    assert.equal(memoryQuantity(2 * 1024 ** 3), '2Gi');
    assert.equal(memoryQuantity(64 * 1024 ** 2), '64Mi');
    assert.equal(memoryQuantity(1000), '1000');
  });

  it('command, args and env reach the container as written ($$ and $(...) escaped)', () => {
    assert.equal(escapeKubernetes('echo $$ $(date) $HOME $'), 'echo $$$ $$(date) $HOME $');
    const r = exportText(`
environment: { GREETING: 'hi $(whoami)' }
jobs:
  say: { command: sh, args: ['-c', 'echo $$ $GREETING'] }
`);
    const c = template(r, 'say').container;
    assert.deepEqual(c?.args, ['-c', 'echo $$$ $GREETING']);
    assert.deepEqual(
      c?.env?.find((e) => e.name === 'GREETING'),
      { name: 'GREETING', value: 'hi $$(whoami)' },
    );
    assert.equal(c?.workingDir, '/work');
    assert.deepEqual(
      c?.env?.find((e) => e.name === 'HOME'),
      { name: 'HOME', value: '/work' },
    );
  });

  it('secrets are references to a Secret, never values', () => {
    const r = exportText(`
secret_environment: { TOKEN: s3cret-value }
environment: { TOKEN: plain }
jobs:
  a: { command: 'true' }
`);
    const env = template(r, 'a').container?.env ?? [];
    assert.deepEqual(
      env.filter((e) => e.name === 'TOKEN'),
      [{ name: 'TOKEN', valueFrom: { secretKeyRef: { name: 'w-secrets', key: 'TOKEN' } } }],
    );
    assert.ok(!JSON.stringify(r.documents).includes('s3cret-value'));
    assert.equal(
      r.secret?.command,
      'kubectl create secret generic w-secrets --from-literal=TOKEN="$TOKEN"',
    );
  });

  it('volumes: claims mounted at /volumes/NAME, ReadWriteMany only when users may overlap', () => {
    const r = exportText(`
jobs:
  a: { command: 'true', volumes: [shared, turn] }
  b: { command: 'true', volumes: [shared] }
  c: { command: 'true', volumes: [turn], requires: [{ a: COMPLETED }] }
`);
    const claims = r.documents.filter(
      (d) => d.kind === 'PersistentVolumeClaim',
    ) as IPersistentVolumeClaim[];
    assert.deepEqual(
      claims.map((c) => [c.metadata?.name, c.spec?.accessModes]),
      [
        ['rnx-volume-shared', ['ReadWriteMany']],
        ['rnx-volume-turn', ['ReadWriteOnce']],
      ],
    );
    assert.deepEqual(template(r, 'c').container?.volumeMounts?.[2], {
      name: 'volume-0',
      mountPath: '/volumes/turn',
    });
  });

  it('a job with neither --image nor a mapped runtime is an error', () => {
    const text = `
jobs:
  a: { command: 'true', runtime: py }
  b: { command: 'true' }
`;
    const checked = validateWorkflow(text, 'w.yaml', catalogOf(), { checkEnvironment: false });
    assert.ok(checked.plan);
    const r = exportToArgo({
      plan: checked.plan,
      loaded: loadYaml(text, 'w.yaml'),
      networks: NETWORKS,
      uploads: new Map(),
      options: { runtimeImages: new Map([['py', 'python:3.12']]) },
    });
    assert.deepEqual(codes(r), ['4:error:argo-no-image']);
  });
});

describe('argo export: pipelines', () => {
  it('a matrix job is one task per instance; a requirement on it names every instance', () => {
    const r = exportText(`
jobs:
  t:
    command: echo
    args: ['\${matrix.n}']
    matrix: { n: [1, 2] }
  ok: { command: 'true', requires: [{ t: COMPLETED }] }
  bad: { command: 'true', requires: [{ t: FAILED }] }
  any: { command: 'true', requires: [{ t: FINISHED }] }
`);
    assert.deepEqual(dependsOf(r), {
      't-1': undefined,
      't-2': undefined,
      ok: '(t-1.Succeeded && t-2.Succeeded)',
      bad: '((t-1.Succeeded || t-1.Failed) && (t-2.Succeeded || t-2.Failed) && (t-1.Failed || t-2.Failed))',
      any: '((t-1.Succeeded || t-1.Failed) && (t-2.Succeeded || t-2.Failed))',
    });
    assert.deepEqual(template(r, 't-2').container?.args, ['2']);
  });

  it("outputs: the producer's $RNX_OUTPUT file is a parameter, each reference an input", () => {
    const r = exportText(`
jobs:
  build: { command: sh, args: ['-c', 'echo v=1 >> "$RNX_OUTPUT"'] }
  use:
    command: echo
    args: ['\${jobs.build.outputs.v}']
    requires: [{ build: COMPLETED }]
`);
    assert.deepEqual(template(r, 'build').outputs?.parameters, [
      { name: 'rnx-output', valueFrom: { path: '/run/rnx/output', default: '' } },
    ]);
    assert.deepEqual(template(r, 'use').container?.args, ['{{inputs.parameters.output-build-v}}']);
    const task = workflowOf(r).spec.templates?.[0]?.dag?.tasks.find((t) => t.name === 'use');
    assert.match(
      String(task?.arguments?.parameters?.[0]?.value),
      /^\{\{=trimPrefix\(last\(filter\(split\(tasks\['build'\]\.outputs\.parameters\['rnx-output'\], '\\n'\), \{hasPrefix\(#, 'v='\)\}\)\), 'v='\)\}\}$/,
    );
    assert.deepEqual(codes(r), ['3:warning:argo-output-lines']);
  });

  it('artifacts are optional output artifacts under /work', () => {
    const r = exportText(`
jobs:
  build: { command: 'true', artifacts: ['dist/app.whl'] }
`);
    assert.deepEqual(template(r, 'build').outputs?.artifacts, [
      { name: 'artifact-0', path: '/work/dist/app.whl', optional: true },
    ]);
  });
});

describe('argo export: uploads', () => {
  const tmp = tempDir('rnx-export-uploads-');
  after(() => tmp.cleanup());

  function exportUploads(files: Record<string, Buffer | string>): ArgoExport {
    const names = Object.keys(files);
    for (const [name, content] of Object.entries(files)) {
      mkdirSync(dirname(join(tmp.dir, name)), { recursive: true });
      writeFileSync(join(tmp.dir, name), content);
    }
    const text = `jobs:\n  a:\n    command: 'true'\n    uploads:\n      files: [${names.join(', ')}]\n`;
    const file = join(tmp.dir, 'w.yaml');
    writeFileSync(file, text);
    const checked = validateWorkflow(text, file, catalogOf(), { checkEnvironment: false });
    assert.ok(checked.plan);
    const result = exportToArgo({
      plan: checked.plan,
      loaded: loadYaml(text, file),
      networks: NETWORKS,
      uploads: readUploads(checked.plan),
      options: { runtimeImages: new Map(), image: 'debian:12' },
    });
    for (const doc of result.documents) validateDocument(doc as never);
    return result;
  }

  it('text and binary files go into one ConfigMap, mounted read-only at /work/NAME', () => {
    const r = exportUploads({ 'run.sh': '#!/bin/sh\n', 'blob.bin': Buffer.from([0, 255, 1]) });
    const cm = r.documents.find((d) => d.kind === 'ConfigMap') as IConfigMap;
    assert.deepEqual(cm.data, { f0: '#!/bin/sh\n' });
    assert.deepEqual(cm.binaryData, { f1: Buffer.from([0, 255, 1]).toString('base64') });
    assert.deepEqual(template(r, 'a').container?.volumeMounts?.slice(2), [
      { name: 'uploads', mountPath: '/work/run.sh', subPath: 'run.sh', readOnly: true },
      { name: 'uploads', mountPath: '/work/blob.bin', subPath: 'blob.bin', readOnly: true },
    ]);
    assert.deepEqual(codes(r), ['4:warning:argo-uploads-read-only']);
  });

  it('a file over 1 MiB is an error, and so are uploads that add up to more', () => {
    const big = exportUploads({ 'big.txt': 'x'.repeat(1024 * 1024 + 1) });
    assert.deepEqual(codes(big), ['5:error:argo-upload-too-large']);
    assert.equal(big.documents.length, 0);
    const half = 'y'.repeat(600 * 1024);
    const many = exportUploads({ 'one.txt': half, 'two.txt': half });
    assert.deepEqual(codes(many), ['4:error:argo-uploads-too-large']);
  });
});

describe('argo export: services (ready, user, stop)', () => {
  const text = `
jobs:
  db: { command: postgres }
  app: { command: 'true', requires: [{ db: RUNNING }] }
`;
  function exportService(extra: Record<string, unknown>): ArgoExport {
    const checked = validateWorkflow(text, 'w.yaml', catalogOf(), { checkEnvironment: false });
    assert.ok(checked.plan);
    const [db, app] = checked.plan.jobs;
    assert.ok(db && app);
    const service = { ...db, ...extra };
    const result = exportToArgo({
      plan: { ...checked.plan, jobs: [service, app] },
      loaded: loadYaml(text, 'w.yaml'),
      networks: NETWORKS,
      uploads: new Map(),
      options: { runtimeImages: new Map(), image: 'postgres:16' },
    });
    for (const doc of result.documents) validateDocument(doc as never);
    return result;
  }

  it('an exec check is a startup probe (the ready timeout) and a readiness probe (Daemoned)', () => {
    const r = exportService({
      ready: {
        probe: { kind: 'exec', command: ['pg_isready'] },
        intervalMs: 250,
        timeoutMs: 30_000,
      },
    });
    const c = template(r, 'db').container;
    assert.deepEqual(c?.startupProbe, {
      exec: { command: ['pg_isready'] },
      periodSeconds: 1,
      failureThreshold: 30,
    });
    assert.deepEqual(c?.readinessProbe, { exec: { command: ['pg_isready'] }, periodSeconds: 1 });
  });

  it('tcp and http checks go to the pod, and say so; a log pattern has no probe', () => {
    const tcp = exportService({
      ready: { probe: { kind: 'tcp', port: 5432 }, intervalMs: 2000, timeoutMs: 10_000 },
    });
    assert.deepEqual(template(tcp, 'db').container?.readinessProbe, {
      tcpSocket: { port: 5432 },
      periodSeconds: 2,
    });
    assert.ok(codes(tcp).includes('3:warning:argo-ready-address'));
    const http = exportService({
      ready: {
        probe: { kind: 'http', target: 'http://127.0.0.1:8080/health?deep=1' },
        intervalMs: 1000,
        timeoutMs: 5000,
      },
    });
    assert.deepEqual(template(http, 'db').container?.readinessProbe?.httpGet, {
      path: '/health?deep=1',
      port: 8080,
    });
    const log = exportService({
      ready: {
        probe: { kind: 'log', pattern: 'ready to accept' },
        intervalMs: 250,
        timeoutMs: 1000,
      },
    });
    assert.equal(template(log, 'db').container?.readinessProbe, undefined);
    assert.ok(codes(log).includes('3:warning:argo-ready-log'));
  });

  it('a numeric user, capabilities, a stop signal and a stop grace', () => {
    const r = exportService({ user: '999:999', stopSignal: 'SIGINT', stopGraceMs: 2500 });
    const t = template(r, 'db');
    assert.deepEqual(t.container?.securityContext, { runAsUser: 999, runAsGroup: 999 });
    assert.deepEqual(t.container?.lifecycle, { stopSignal: 'SIGINT' });
    assert.deepEqual(JSON.parse(t.podSpecPatch ?? '{}'), {
      hostname: 'db',
      os: { name: 'linux' },
      terminationGracePeriodSeconds: 3,
    });
    assert.ok(codes(r).includes('3:warning:argo-stop-signal'));
    const caps = exportService({
      capabilities: { add: ['cap_net_admin', 'SYS_TIME'], drop: ['SYS_TIME', 'CAP_MKNOD'] },
    });
    assert.deepEqual(template(caps, 'db').container?.securityContext, {
      capabilities: { add: ['NET_ADMIN'], drop: ['SYS_TIME', 'MKNOD'] },
    });
    const none = exportService({ capabilities: { add: ['NET_RAW'], drop: ['ALL'] } });
    assert.deepEqual(template(none, 'db').container?.securityContext, {
      capabilities: { drop: ['ALL'] },
    });
    const named = exportService({ user: 'postgres' });
    assert.equal(template(named, 'db').container?.securityContext, undefined);
    assert.ok(codes(named).includes('3:warning:argo-user-name'));
  });
});
