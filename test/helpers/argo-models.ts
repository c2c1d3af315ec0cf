/**
 * Checks exported documents against the published models: `@kubernetes-models/argo-workflows`
 * (generated from Argo's CRDs) for the Workflow, `kubernetes-models` for the core objects. An
 * object of any other kind, or one its model rejects, fails the test. On top of the schemas, the
 * references inside a Workflow are checked the way Argo's own validation does: every task's
 * template exists, every `depends` operand names a task of the DAG, every input parameter a
 * template uses is declared and passed, every `{{tasks.X.ip}}` names a daemon the task waits for,
 * every output expression a task it waits for that declares the `rnx-output` parameter.
 */
import assert from 'node:assert/strict';
import { Workflow } from '@kubernetes-models/argo-workflows/argoproj.io/v1alpha1/Workflow';
import type { IWorkflow } from '@kubernetes-models/argo-workflows/argoproj.io/v1alpha1/Workflow';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { PersistentVolumeClaim } from 'kubernetes-models/v1/PersistentVolumeClaim';
import { parseAllDocuments } from 'yaml';

type Doc = { apiVersion?: unknown; kind?: unknown } & Record<string, unknown>;

/** Validates one document with its model; throws with the model's message when it is invalid. */
export function validateDocument(doc: Doc): void {
  const data = doc as never;
  switch (doc.kind) {
    case 'Workflow':
      new Workflow(data).validate();
      checkWorkflowReferences(doc as unknown as IWorkflow);
      return;
    case 'ConfigMap':
      new ConfigMap(data).validate();
      return;
    case 'PersistentVolumeClaim':
      new PersistentVolumeClaim(data).validate();
      return;
    case 'NetworkPolicy':
      new NetworkPolicy(data).validate();
      return;
    default:
      assert.fail(`unexpected kind ${String(doc.kind)} in the export`);
  }
}

/** Parses a YAML stream, validates every document, returns them (as plain data). */
export function parseAndValidate(yaml: string): Doc[] {
  const docs = parseAllDocuments(yaml).map((d) => {
    assert.equal(d.errors.length, 0, `YAML errors: ${d.errors.map((e) => e.message).join('; ')}`);
    return d.toJS() as Doc;
  });
  for (const doc of docs) validateDocument(doc);
  assert.equal(docs.at(-1)?.kind, 'Workflow', 'the Workflow comes last');
  assert.equal(docs.filter((d) => d.kind === 'Workflow').length, 1, 'exactly one Workflow');
  return docs;
}

function checkWorkflowReferences(wf: IWorkflow): void {
  const templates = new Map((wf.spec.templates ?? []).map((t) => [t.name ?? '', t]));
  const entry = templates.get(wf.spec.entrypoint ?? '');
  assert.ok(entry?.dag, 'the entrypoint is a DAG template');
  const tasks = entry.dag.tasks;
  const names = new Set(tasks.map((t) => t.name));
  for (const target of (entry.dag.target ?? '').split(' ').filter((t) => t !== ''))
    assert.ok(names.has(target), `target ${target} is a task`);
  const dependsOn = new Map<string, string[]>();
  for (const task of tasks) {
    const template = templates.get(task.template ?? '');
    assert.ok(template?.container, `task ${task.name} runs a container template`);
    const operands = [...(task.depends ?? '').matchAll(/([a-z0-9-]+)\.([A-Za-z]+)/g)];
    for (const [, name, result] of operands) {
      assert.ok(names.has(name ?? ''), `depends of ${task.name} names task ${name}`);
      assert.ok(
        ['Succeeded', 'Failed', 'Daemoned'].includes(result ?? ''),
        `depends of ${task.name} uses a result rnx maps to: ${result}`,
      );
    }
    dependsOn.set(
      task.name,
      operands.map((m) => m[1] ?? ''),
    );
    const declared = (template.inputs?.parameters ?? []).map((p) => p.name);
    const passed = (task.arguments?.parameters ?? []).map((p) => p.name);
    assert.deepEqual(passed.sort(), [...declared].sort(), `task ${task.name} fills its inputs`);
    const used = [...JSON.stringify(template).matchAll(/\{\{inputs\.parameters\.([^}]+)\}\}/g)];
    for (const [, p] of used) assert.ok(declared.includes(p ?? ''), `input ${p} is declared`);
    for (const arg of task.arguments?.parameters ?? []) {
      const from = producerOf(String(arg.value));
      assert.ok(from, `argument ${arg.name} of ${task.name} is a task's address or output`);
      const producer = templates.get(tasks.find((t) => t.name === from.task)?.template ?? '');
      if (from.what === 'ip') assert.equal(producer?.daemon, true, `${from.task} is a daemon`);
      else
        assert.ok(
          producer?.outputs?.parameters?.some((p) => p.name === 'rnx-output'),
          `${from.task} has the output parameter`,
        );
    }
  }
  // {{tasks.X.ip}} only resolves for tasks the task waits for, directly or not.
  const ancestors = (name: string, seen = new Set<string>()): Set<string> => {
    for (const d of dependsOn.get(name) ?? []) if (!seen.has(d)) ancestors(d, seen.add(d));
    return seen;
  };
  for (const task of tasks) {
    for (const arg of task.arguments?.parameters ?? []) {
      const from = producerOf(String(arg.value))?.task ?? '';
      assert.ok(ancestors(task.name).has(from), `${task.name} waits for ${from}`);
    }
  }
}

/** The task whose address (`{{tasks.X.ip}}`) or rnx output (an expression on X) a value reads. */
function producerOf(value: string): { task: string; what: 'ip' | 'output' } | undefined {
  const ip = /^\{\{tasks\.([^.]+)\.ip\}\}$/.exec(value);
  if (ip) return { task: ip[1] ?? '', what: 'ip' };
  const output = /^\{\{=.*tasks\['([^']+)'\]\.outputs\.parameters\['rnx-output'\].*\}\}$/.exec(
    value,
  );
  if (output) return { task: output[1] ?? '', what: 'output' };
  return undefined;
}
