/**
 * `defaults:` at the top of the file and per named workflow: network, runtime, volumes, resources,
 * timeout, retries and user every job gets unless it sets its own. Layers apply outermost first (the
 * file's, then the workflow's); the job's own value wins, and `resources` merge key by key. Pure.
 */
import type { DataPath } from '../load/load.js';
import type { Data } from '../workflows.js';
import { isMapData } from '../workflows.js';

export const DEFAULT_KEYS = [
  'network',
  'runtime',
  'volumes',
  'resources',
  'timeout',
  'retries',
  'user',
];

export interface DefaultsLayer {
  /** Path of the `defaults:` map. */
  readonly path: DataPath;
  readonly data: Data;
}

export interface Defaulted {
  readonly data: Data;
  /** Keys (and `resources.KEY`) taken from a defaults layer, with the path of the value used. */
  readonly sources: Readonly<Record<string, DataPath>>;
}

export function defaultsLayers(
  file: Data,
  workflow: Data | undefined,
  path: DataPath,
): DefaultsLayer[] {
  const layers: DefaultsLayer[] = [];
  if (isMapData(file['defaults'])) layers.push({ path: ['defaults'], data: file['defaults'] });
  if (workflow !== undefined && isMapData(workflow['defaults']))
    layers.push({ path: [...path, 'defaults'], data: workflow['defaults'] });
  return layers;
}

export function applyDefaults(job: Data, layers: readonly DefaultsLayer[]): Defaulted {
  if (layers.length === 0) return { data: job, sources: {} };
  const data: Record<string, unknown> = {};
  const sources: Record<string, DataPath> = {};
  const resources: Record<string, unknown> = {};
  let hasResources = false;
  for (const layer of layers) {
    for (const key of DEFAULT_KEYS) {
      const value = layer.data[key];
      if (value === undefined) continue;
      if (key === 'resources') {
        if (!isMapData(value)) continue;
        hasResources = true;
        for (const [k, v] of Object.entries(value)) {
          resources[k] = v;
          sources[`resources.${k}`] = [...layer.path, 'resources', k];
        }
        continue;
      }
      data[key] = value;
      sources[key] = [...layer.path, key];
    }
  }
  for (const [key, value] of Object.entries(job)) {
    if (key === 'resources' && isMapData(value)) {
      hasResources = true;
      for (const [k, v] of Object.entries(value)) {
        resources[k] = v;
        delete sources[`resources.${k}`];
      }
      continue;
    }
    data[key] = value;
    delete sources[key];
  }
  if (hasResources) data['resources'] = resources;
  return { data, sources };
}
