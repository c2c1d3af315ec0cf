/**
 * A defensive view of the file's data for the rules: which workflows it holds (one under `jobs:`
 * or several under `workflows:`), and each one's jobs, by name, in file order. Parts with the
 * wrong shape are skipped here; the schema check reports them.
 */
import type { DataPath } from './load.js';

export type Data = Readonly<Record<string, unknown>>;

export interface JobView {
  readonly name: string;
  readonly path: DataPath;
  readonly data: Data;
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
  return { key, path, data, file, jobs, jobIndex };
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

/** Strings of a list field, with their index (non-strings skipped). */
export function stringsOf(value: unknown): { index: number; value: string }[] {
  if (!Array.isArray(value)) return [];
  const out: { index: number; value: string }[] = [];
  value.forEach((v: unknown, index) => {
    if (typeof v === 'string') out.push({ index, value: v });
  });
  return out;
}
