/**
 * Turns each workflow as written into the jobs that will run: `defaults:` applied, matrix jobs
 * expanded into their instances with `${matrix.KEY}` substituted. Every rule after the schema check
 * sees the expanded jobs; an instance points at its matrix job for locations. Pure.
 */
import { closest, listSome } from '../../suggest.js';
import { applyDefaults, defaultsLayers } from './defaults.js';
import type { Diagnostic } from '../diagnostic.js';
import type { LoadedFile } from '../load/load.js';
import { matrixInstances, matrixReferences, substituteMatrix } from './matrix.js';
import { NAME_PATTERNS, NAME_RULES } from '../names.js';
import { diagnosticAt } from '../rule.js';
import type { Data, JobView, WorkflowView } from '../workflows.js';
import { isMapData } from '../workflows.js';

export interface Expanded {
  readonly workflows: WorkflowView[];
  readonly diagnostics: Diagnostic[];
}

export function expandWorkflows(loaded: LoadedFile, workflows: readonly WorkflowView[]): Expanded {
  const diagnostics: Diagnostic[] = [];
  const out = workflows.map((w) => expandOne(loaded, w, diagnostics));
  return { workflows: out, diagnostics };
}

function expandOne(loaded: LoadedFile, w: WorkflowView, out: Diagnostic[]): WorkflowView {
  const layers = defaultsLayers(w.file, w.key === undefined ? undefined : w.data, w.path);
  const declared = new Map(w.jobs.map((j) => [j.name, j]));
  const jobs: JobView[] = [];
  const owner = new Map<string, JobView>();
  const groups = new Map<string, string[]>();
  for (const job of w.jobs) {
    const { data, sources } = applyDefaults(job.data, layers);
    const base: JobView = { ...job, data, ...(Object.keys(sources).length > 0 ? { sources } : {}) };
    const matrix = data['matrix'];
    const keys = isMapData(matrix) ? Object.keys(matrix) : [];
    checkReferences(loaded, base, keys, out);
    if (!isMapData(matrix) || keys.length === 0) {
      jobs.push(base);
      owner.set(job.name, job);
      continue;
    }
    const { matrix: _, ...template } = data;
    const names: string[] = [];
    for (const instance of matrixInstances(job.name, matrix)) {
      const at = { path: [...job.path, 'matrix'], part: 'key' as const };
      if (!NAME_PATTERNS.job.test(instance.name)) {
        out.push(
          diagnosticAt(loaded, at, {
            code: 'matrix-name-invalid',
            message: `matrix of job '${job.name}' makes the job name '${instance.name}', which is not a valid name`,
            hint: `${NAME_RULES.job}; shorten the job's name or its values`,
          }),
        );
        continue;
      }
      const other = declared.get(instance.name) ?? owner.get(instance.name);
      if (other !== undefined) {
        out.push(
          diagnosticAt(loaded, at, {
            code: 'matrix-name-clash',
            message: `matrix of job '${job.name}' makes the job name '${instance.name}', which ${other.name === instance.name ? 'is already a job' : `job '${other.name}' makes too`}`,
            hint: 'rename one of the jobs, or change the values so that their names differ',
            related: [
              { path: other.path, part: 'key', message: `'${instance.name}' comes from here too` },
            ],
          }),
        );
        continue;
      }
      const instanceData = substituteMatrix(template, instance.values) as Data;
      checkRuntime(loaded, job, instanceData, out);
      owner.set(instance.name, job);
      names.push(instance.name);
      jobs.push({
        ...base,
        name: instance.name,
        data: instanceData,
        matrix: { job: job.name, values: instance.values },
      });
    }
    groups.set(job.name, names);
  }
  return { ...w, jobs, jobIndex: new Map(jobs.map((j, i) => [j.name, i])), groups };
}

/** `${matrix.KEY}` must name a key of the job's own matrix. */
function checkReferences(
  loaded: LoadedFile,
  job: JobView,
  keys: readonly string[],
  out: Diagnostic[],
): void {
  const { matrix: _, ...rest } = job.data;
  for (const ref of matrixReferences(rest)) {
    if (keys.includes(ref.key)) continue;
    const guess = closest(ref.key, keys);
    out.push(
      diagnosticAt(
        loaded,
        { path: [...job.path, ...ref.path] },
        keys.length === 0
          ? {
              code: 'unknown-matrix-key',
              message: `job '${job.name}' uses '\${matrix.${ref.key}}' but has no 'matrix:'`,
              hint: `add 'matrix: { ${ref.key}: [VALUE, ...] }' to the job, or write the value out`,
            }
          : {
              code: 'unknown-matrix-key',
              message: `job '${job.name}' uses '\${matrix.${ref.key}}', which is not a key of its matrix${guess === undefined ? '' : `; did you mean '${guess}'?`}`,
              hint: `matrix keys here: ${listSome(keys)}`,
            },
      ),
    );
  }
}

/** A runtime made from matrix values must still be a runtime name. */
function checkRuntime(loaded: LoadedFile, job: JobView, data: Data, out: Diagnostic[]): void {
  const runtime = data['runtime'];
  if (typeof runtime !== 'string' || NAME_PATTERNS.runtime.test(runtime)) return;
  if (runtime.includes('${matrix.')) return; // reported as an unknown key
  out.push(
    diagnosticAt(
      loaded,
      { path: [...job.path, 'runtime'] },
      {
        code: 'invalid-name',
        message: `invalid runtime name '${runtime}' in job '${job.name}' (from its matrix)`,
        hint: NAME_RULES.runtime,
      },
    ),
  );
}
