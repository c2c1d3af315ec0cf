/** The worker thread of load-large.ts: loads one file and posts what it found, then ends. */
import { parentPort, workerData } from 'node:worker_threads';
import type { LoadRequest } from './load-large.js';
import type { LoadFindings } from './load.js';
import { loadYaml } from './load.js';

const { source, file } = workerData as LoadRequest;
const loaded = loadYaml(source, file);
const found: LoadFindings = {
  data: loaded.data,
  diagnostics: loaded.diagnostics,
  duplicateKeys: loaded.duplicateKeys,
};
parentPort?.postMessage(found);
