/** Names a place in the workflow data for messages: `'resources.max_memory' of job 'api'`. */
import type { DataPath } from './load/load.js';

export interface Where {
  /** `job 'api'`, `job 'api' of workflow 'ml'`, `workflow 'ml'` or `the file`. */
  readonly owner: string;
  /** The field inside the owner, e.g. `resources.max_memory` or `requires[0]`; '' for the owner. */
  readonly field: string;
}

export function where(path: DataPath): Where {
  let rest = path;
  let workflow: string | undefined;
  if (rest[0] === 'workflows' && rest.length >= 2) {
    workflow = String(rest[1]);
    rest = rest.slice(2);
  }
  let job: string | undefined;
  if (rest[0] === 'jobs' && rest.length >= 2) {
    job = String(rest[1]);
    rest = rest.slice(2);
  }
  const parts = [
    job === undefined ? undefined : `job '${job}'`,
    workflow === undefined ? undefined : `workflow '${workflow}'`,
  ].filter((p): p is string => p !== undefined);
  return { owner: parts.length === 0 ? 'the file' : parts.join(' of '), field: fieldText(rest) };
}

/** `'field' of job 'x'`, or just `job 'x'` / `the file` when the path is the owner itself. */
export function subject(path: DataPath): string {
  const w = where(path);
  if (w.field === '') return w.owner;
  return w.owner === 'the file' ? `'${w.field}'` : `'${w.field}' of ${w.owner}`;
}

function fieldText(path: DataPath): string {
  let text = '';
  for (const segment of path) {
    if (typeof segment === 'number' || /^\d+$/.test(segment)) text += `[${segment}]`;
    else text += text === '' ? segment : `.${segment}`;
  }
  return text;
}
