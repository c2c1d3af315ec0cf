/** The thin file-reading wrapper around validateWorkflow: reads the file, reports unreadable ones. */
import { resolve } from 'node:path';
import type { Catalog } from '../host/catalog.js';
import { loadText } from './load-large.js';
import type { LoadedFile } from './load.js';
import type { ValidateOptions, ValidationResult } from '../validate-workflow.js';
import { validateLoaded } from '../validate-workflow.js';
import { readText } from './read-text.js';

export { readText } from './read-text.js';

export interface FileValidation extends ValidationResult {
  /** The text that was checked, for excerpts; undefined when the file could not be read. */
  readonly source?: string;
  /** The file as loaded (its document released), for locating later diagnostics (the export's). */
  readonly loaded?: LoadedFile;
}

export async function validateWorkflowFile(
  file: string,
  catalog: Catalog,
  options: ValidateOptions = {},
): Promise<FileValidation> {
  const read = readText(resolve(options.cwd ?? '', file));
  if (!read.ok) {
    const reason = read.reason;
    return {
      file,
      diagnostics: [
        {
          severity: 'error',
          code: 'unreadable-file',
          message: `cannot read the workflow file: ${reason}`,
          file,
          line: 1,
          column: 1,
          endLine: 1,
          endColumn: 1,
          related: [],
        },
      ],
      workflowNames: [],
      plans: [],
    };
  }
  const source = read.text;
  const loaded = await loadText(source, file);
  return {
    ...validateLoaded(loaded, catalog, { readEnvFile: readText, ...options }),
    source,
    loaded,
  };
}
