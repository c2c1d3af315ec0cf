/**
 * Loads a large workflow file (past LARGE_FILE) in a worker thread. Parsing YAML builds a syntax
 * tree and a document that together take about 80 times the text while they are alive, and the
 * main thread's heap, once grown that far, keeps growing through every later stage before V8
 * collects them (a valid 100,000-job file: 1.89 GB against 1.52 GB for yaml.parse alone). The
 * worker's heap is dropped whole when it ends: only the plain data and the YAML diagnostics come
 * back, and the main thread parses the document again only to locate a later diagnostic.
 *
 * Should the worker fail (it cannot start, or runs out of memory), the file is loaded here instead.
 */
import type { Worker } from 'node:worker_threads';
import type { LoadedFile, LoadFindings } from './load.js';
import { loadedFrom, loadYaml } from './load.js';

/** Files past this many characters (4 MiB, about 28,000 jobs) are loaded in a worker. */
export const LARGE_FILE = 4 * 1024 * 1024;

/** What the worker (load-large-worker.ts) is given. */
export interface LoadRequest {
  readonly source: string;
  readonly file: string;
}

/** Loads a file's text: in a worker thread past LARGE_FILE, else here. */
export async function loadText(source: string, file: string): Promise<LoadedFile> {
  if (source.length <= LARGE_FILE) return loadYaml(source, file);
  const found = await loadInWorker({ source, file });
  return found === undefined ? loadYaml(source, file) : loadedFrom(source, file, found);
}

/** What a worker thread found in the file; undefined when the worker failed. */
export function loadInWorker(request: LoadRequest): Promise<LoadFindings | undefined> {
  return new Promise((done) => {
    let found: LoadFindings | undefined;
    let worker: Worker;
    try {
      // Fetched here, not imported: node:worker_threads loads about ten of Node's internal
      // modules, which the start-up of every workflow command would pay for a small file.
      const { Worker: Thread } = process.getBuiltinModule('node:worker_threads');
      // Beside this module: dist/src/validate/load/ after tsc, dist/rnx/ in the bundle.
      worker = new Thread(new URL('./load-large-worker.js', import.meta.url), {
        workerData: request,
        // Whatever the thread might print stays out of rnx's output (only src/cli prints).
        stdout: true,
        stderr: true,
      });
    } catch {
      done(undefined);
      return;
    }
    worker.once('message', (message: LoadFindings) => {
      found = message;
    });
    // Resolved when the thread has ended, so that its memory is free before the next stage.
    worker.once('error', () => undefined);
    worker.once('exit', () => done(found));
  });
}
