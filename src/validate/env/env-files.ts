/**
 * `env_file:` at the top of a workflow: dotenv files (KEY=VALUE lines, `#` comments, quotes), named
 * relative to the workflow file, read through the reader the caller gives (validation itself does
 * no I/O). Later files win. Parsed with Node's own `util.parseEnv`.
 */
import { resolve } from 'node:path';
import type { Diagnostic } from '../diagnostic.js';
import type { LoadedFile } from '../load/load.js';
import { diagnosticAt } from '../rule.js';
import { isMapData } from '../workflows.js';
import { parseDotenv } from './dotenv.js';

export type ReadText = (path: string) => { ok: true; text: string } | { ok: false; reason: string };

export function readEnvFiles(
  loaded: LoadedFile,
  folder: string,
  read: ReadText | undefined,
): { values: Record<string, string>; names: string[]; diagnostics: Diagnostic[] } {
  const data = isMapData(loaded.data) ? loaded.data['env_file'] : undefined;
  const list = typeof data === 'string' ? [data] : Array.isArray(data) ? data : [];
  const values: Record<string, string> = {};
  const names: string[] = [];
  const diagnostics: Diagnostic[] = [];
  if (read === undefined) return { values, names, diagnostics };
  list.forEach((name: unknown, i) => {
    if (typeof name !== 'string' || name === '') return;
    names.push(name);
    const got = read(resolve(folder, name));
    if (!got.ok) {
      diagnostics.push(
        diagnosticAt(
          loaded,
          { path: typeof data === 'string' ? ['env_file'] : ['env_file', i] },
          {
            code: 'env-file-unreadable',
            message: `cannot read env file '${name}': ${got.reason}`,
            hint: 'env_file names are relative to the workflow file',
          },
        ),
      );
      return;
    }
    Object.assign(values, parseDotenv(got.text));
  });
  return { values, names, diagnostics };
}
