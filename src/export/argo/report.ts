/**
 * Where the export's diagnostics point: the job, or the key of the job, that could not be carried
 * over as it is. Every warning says what changes on Argo; every error says why it cannot be done.
 */
import type { ArgoExportCode } from '../../problem.js';
import type { Diagnostic } from '../../validate/diagnostic.js';
import type { DataPath, LoadedFile } from '../../validate/load/load.js';
import { locate } from '../../validate/load/load.js';
import type { Plan } from '../../validate/model.js';
import { diagnosticAt } from '../../validate/rule.js';
import { isMapData } from '../../validate/workflows.js';

export interface Report {
  error(path: DataPath, code: ArgoExportCode, message: string, hint?: string): void;
  warning(path: DataPath, code: ArgoExportCode, message: string, hint?: string): void;
  readonly diagnostics: readonly Diagnostic[];
  /** The path of a job's map in the file, for `jobPath(plan, 'api').concat(['timeout'])`. */
  job(name: string, ...rest: DataPath): DataPath;
  /** The path of the workflow's own map ([] for a file with `jobs:` at the top). */
  workflow(...rest: DataPath): DataPath;
  /** The path of the `requires` entry of job `name` that names `required`. */
  requirement(name: string, required: string): DataPath;
  /** True when the file has a value at `path`. */
  has(path: DataPath): boolean;
  /** True when the file has a key at `path` written without a value (`TOKEN:`). */
  isNull(path: DataPath): boolean;
  /** The text of the line a diagnostic at `path` would show. */
  lineText(path: DataPath): string;
}

/**
 * A report on one plan. The instances of a matrix job point at the matrix job in the file, and
 * say a thing once: a second diagnostic with the same code at the same place is dropped.
 */
export function newReport(loaded: LoadedFile, plan: Plan): Report {
  const diagnostics: Diagnostic[] = [];
  const said = new Set<string>();
  const base: DataPath = plan.workflow === undefined ? [] : ['workflows', plan.workflow];
  const source = new Map(plan.jobs.map((j) => [j.name, j.matrix?.job ?? j.name]));
  const jobPath = (name: string): DataPath => [...base, 'jobs', source.get(name) ?? name];
  const add =
    (severity: 'error' | 'warning') =>
    (path: DataPath, code: ArgoExportCode, message: string, hint?: string): void => {
      const d = diagnosticAt(
        loaded,
        { path, part: 'key' },
        { severity, code, message, ...(hint === undefined ? {} : { hint }) },
      );
      const key = `${code}@${d.line}:${d.column}`;
      if (said.has(key)) return;
      said.add(key);
      diagnostics.push(d);
    };
  return {
    error: add('error'),
    warning: add('warning'),
    diagnostics,
    job: (name, ...rest) => [...jobPath(name), ...rest],
    workflow: (...rest) => [...base, ...rest],
    requirement: (name, required) => {
      const path = [...jobPath(name), 'requires'];
      const list = dataAt(loaded.data, path);
      const index = Array.isArray(list)
        ? list.findIndex((entry) => isMapData(entry) && Object.keys(entry)[0] === required)
        : -1;
      return index === -1 ? path : [...path, index, required];
    },
    has: (path) => dataAt(loaded.data, path) !== undefined,
    isNull: (path) => dataAt(loaded.data, path) === null,
    lineText: (path) => {
      const line = locate(loaded, path, 'key').line;
      return loaded.source.split(/\r?\n/)[line - 1] ?? '';
    },
  };
}

function dataAt(data: unknown, path: DataPath): unknown {
  let node = data;
  for (const segment of path) {
    if (node === null) return undefined;
    if (Array.isArray(node) && typeof segment === 'number') node = node[segment] as unknown;
    else if (isMapData(node)) node = node[String(segment)];
    else return undefined;
  }
  return node;
}
