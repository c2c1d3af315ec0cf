/**
 * A defensive view of the file's data for the rules: which workflows it holds (one under `jobs:`
 * or several under `workflows:`), and each one's jobs, by name, in file order. Parts with the
 * wrong shape are skipped here; the schema check reports them.
 */
import type { DataPath } from './load/load.js';

export type Data = Readonly<Record<string, unknown>>;

export interface JobView {
  readonly name: string;
  /** Where the job is written (for a matrix instance: the matrix job). */
  readonly path: DataPath;
  /** The job's data, with the workflow's defaults applied and matrix values substituted. */
  readonly data: Data;
  /** Keys whose value came from `defaults:`, with the place it is written. */
  readonly sources?: Readonly<Record<string, DataPath>>;
  /** For an instance of a matrix job: the matrix job's name and this instance's values. */
  readonly matrix?: { readonly job: string; readonly values: Readonly<Record<string, string>> };
}

export interface WorkflowView {
  /** The key under `workflows:`, or undefined for a single-workflow file. */
  readonly key: string | undefined;
  /** Path of the workflow's own map ([] for a single-workflow file). */
  readonly path: DataPath;
  readonly data: Data;
  /** Top-level data of the file (shared environment, volumes). */
  readonly file: Data;
  readonly jobs: readonly JobView[];
  readonly jobIndex: ReadonlyMap<string, number>;
  /** Matrix jobs: name → instance names (filled by expand.ts). */
  readonly groups: ReadonlyMap<string, readonly string[]>;
}

export function isMapData(value: unknown): value is Data {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function workflowViews(data: unknown): WorkflowView[] {
  if (!isMapData(data)) return [];
  const many = data['workflows'];
  if (isMapData(many) && data['jobs'] === undefined) {
    return Object.entries(many)
      .filter((entry): entry is [string, Data] => isMapData(entry[1]))
      .map(([key, value]) => view(key, ['workflows', key], value, data));
  }
  return [view(undefined, [], data, data)];
}

function view(key: string | undefined, path: DataPath, data: Data, file: Data): WorkflowView {
  const jobs: JobView[] = [];
  const jobIndex = new Map<string, number>();
  const raw = data['jobs'];
  if (isMapData(raw)) {
    for (const name of Object.keys(raw)) {
      const job = raw[name];
      if (!isMapData(job)) continue;
      jobIndex.set(name, jobs.length);
      jobs.push({ name, path: [...path, 'jobs', name], data: job });
    }
  }
  return { key, path, data, file, jobs, jobIndex, groups: new Map() };
}

/** A job's `requires` entries that have the right shape: index, required job, condition value. */
export function requirementsOf(job: JobView): { index: number; job: string; condition: unknown }[] {
  const list = job.data['requires'];
  if (!Array.isArray(list)) return [];
  const out: { index: number; job: string; condition: unknown }[] = [];
  list.forEach((item: unknown, index) => {
    if (!isMapData(item)) return;
    const keys = Object.keys(item);
    if (keys.length !== 1) return;
    const name = keys[0] as string;
    out.push({ index, job: name, condition: item[name] });
  });
  return out;
}

/**
 * The jobs as written: plain jobs, and one view per matrix job (its first instance, under the
 * matrix job's name), for rules whose findings are about the text rather than each instance.
 */
export function writtenJobs(workflow: WorkflowView): JobView[] {
  const seen = new Set<string>();
  const out: JobView[] = [];
  for (const job of workflow.jobs) {
    if (job.matrix === undefined) out.push(job);
    else if (!seen.has(job.matrix.job)) {
      seen.add(job.matrix.job);
      out.push({ ...job, name: job.matrix.job });
    }
  }
  return out;
}

/** The keys that hold a job's environment, at any level. */
export const ENV_KEYS = ['environment', 'secret_environment'] as const;

/**
 * The levels above a workflow's jobs where a key such as `environment` may be written: the file's
 * top level, and the workflow's own map when the file holds several.
 */
export function workflowLevels(workflow: WorkflowView): { path: DataPath; data: Data }[] {
  const levels: { path: DataPath; data: Data }[] = [{ path: [], data: workflow.file }];
  if (workflow.key !== undefined) levels.push({ path: workflow.path, data: workflow.data });
  return levels;
}

/** Where a key of a job is written: the job itself, or the `defaults:` it came from. */
export function pathOf(job: JobView, key: string): DataPath {
  return job.sources?.[key] ?? [...job.path, key];
}

/** Strings of a list field, with their index (non-strings skipped). */
export function stringsOf(value: unknown): { index: number; value: string }[] {
  if (!Array.isArray(value)) return [];
  const out: { index: number; value: string }[] = [];
  value.forEach((v: unknown, index) => {
    if (typeof v === 'string') out.push({ index, value: v });
  });
  return out;
}
