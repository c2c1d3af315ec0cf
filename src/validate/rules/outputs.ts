/**
 * `${jobs.NAME.outputs.KEY}` in a job's command, args or environment must name a job it requires,
 * directly or through other jobs (its outputs exist only once that job completed). Runs on the
 * graph, after the requires checks.
 */
import { closest, listSome } from '../../suggest.js';
import type { Diagnostic } from '../diagnostic.js';
import type { JobGraph } from '../plan/graph.js';
import type { DataPath, LoadedFile } from '../load/load.js';
import { outputReferences } from '../plan/outputs.js';
import { diagnosticAt } from '../rule.js';
import type { JobView, WorkflowView } from '../workflows.js';
import { ENV_KEYS, isMapData } from '../workflows.js';

export function checkOutputReferences(
  loaded: LoadedFile,
  workflow: WorkflowView,
  g: JobGraph,
): Diagnostic[] {
  const out: Diagnostic[] = [];
  const seen = new Set<string>();
  const push = (d: Diagnostic): void => {
    const key = `${String(d.line)}:${String(d.column)}:${d.message}`;
    if (!seen.has(key)) out.push(d);
    seen.add(key);
  };
  for (const [path, text] of sharedTexts(workflow)) {
    for (const ref of outputReferences(text)) {
      push(
        diagnosticAt(
          loaded,
          { path },
          {
            code: 'output-reference-shared',
            message: `'\${jobs.${ref.job}.outputs.${ref.key}}' is in an environment every job inherits`,
            hint: 'use it in the environment, command or args of the job that needs it',
          },
        ),
      );
    }
  }
  for (const job of workflow.jobs) {
    // Only for jobs that use an output: every job's ancestors would cost n² on a long chain.
    let upstream: Set<string> | undefined;
    for (const [path, text] of jobTexts(job)) {
      for (const ref of outputReferences(text)) {
        upstream ??= ancestors(g, job.name);
        const d = check(loaded, workflow, job, upstream, path, ref.job, ref.key);
        if (d !== undefined) push(d);
      }
    }
  }
  return out;
}

function check(
  loaded: LoadedFile,
  workflow: WorkflowView,
  job: JobView,
  upstream: ReadonlySet<string>,
  path: DataPath,
  name: string,
  key: string,
): Diagnostic | undefined {
  const written = `'\${jobs.${name}.outputs.${key}}'`;
  const owner = job.matrix?.job ?? job.name;
  const instances = workflow.groups.get(name);
  if (instances !== undefined) {
    return diagnosticAt(
      loaded,
      { path },
      {
        code: 'output-reference-matrix',
        message: `${written} in job '${owner}' names a matrix job; outputs belong to each instance`,
        hint: `name one instance: ${listSome(instances)}`,
      },
    );
  }
  if (!workflow.jobIndex.has(name)) {
    const guess = closest(name, [...workflow.jobIndex.keys()]);
    return diagnosticAt(
      loaded,
      { path },
      {
        code: 'output-reference-unknown',
        message: `${written} in job '${owner}' names no job of this workflow${guess === undefined ? '' : `; did you mean '${guess}'?`}`,
      },
    );
  }
  if (upstream.has(name)) return undefined;
  return diagnosticAt(
    loaded,
    { path },
    {
      code: 'output-reference-not-upstream',
      message: `${written} in job '${owner}': job '${name}' is not required by it, so its outputs may not exist yet`,
      hint: `add '- ${name}: COMPLETED' to the requires of '${owner}'`,
    },
  );
}

function ancestors(g: JobGraph, name: string): Set<string> {
  const seen = new Set<string>();
  const stack = [name];
  for (let job = stack.pop(); job !== undefined; job = stack.pop()) {
    for (const { requires: parent } of g.requires.get(job) ?? []) {
      if (!seen.has(parent)) {
        seen.add(parent);
        stack.push(parent);
      }
    }
  }
  return seen;
}

/** The texts of a job that may hold references: command, args, its own environment values. */
function jobTexts(job: JobView): [DataPath, string][] {
  const out: [DataPath, string][] = [];
  const d = job.data;
  if (typeof d['command'] === 'string') out.push([[...job.path, 'command'], d['command']]);
  if (Array.isArray(d['args']))
    d['args'].forEach((a: unknown, i) => {
      if (typeof a === 'string') out.push([[...job.path, 'args', i], a]);
    });
  for (const key of ENV_KEYS) out.push(...envTexts(d[key], [...job.path, key]));
  return out;
}

function sharedTexts(workflow: WorkflowView): [DataPath, string][] {
  const out: [DataPath, string][] = [];
  for (const key of ENV_KEYS) {
    out.push(...envTexts(workflow.file[key], [key]));
    if (workflow.key !== undefined)
      out.push(...envTexts(workflow.data[key], [...workflow.path, key]));
  }
  return out;
}

function envTexts(value: unknown, path: DataPath): [DataPath, string][] {
  if (!isMapData(value)) return [];
  return Object.entries(value).flatMap(([k, v]): [DataPath, string][] =>
    typeof v === 'string' ? [[[...path, k], v]] : [],
  );
}
