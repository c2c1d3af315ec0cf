/** The thin file-reading wrapper around validateWorkflow: reads the file, reports unreadable ones. */
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Catalog } from './catalog.js';
import type { ReadText } from './env-files.js';
import type { ValidateOptions, ValidationResult } from './validate-workflow.js';
import { validateWorkflow } from './validate-workflow.js';

export interface FileValidation extends ValidationResult {
  /** The text that was checked, for excerpts; undefined when the file could not be read. */
  readonly source?: string;
}

export async function validateWorkflowFile(
  file: string,
  catalog: Catalog,
  options: ValidateOptions = {},
): Promise<FileValidation> {
  let source: string;
  try {
    source = await readFile(resolve(options.cwd ?? '', file), 'utf8');
  } catch (e) {
    const reason = readFailure(e);
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
  return {
    ...validateWorkflow(source, file, catalog, { readEnvFile: readText, ...options }),
    source,
  };
}

/** Reads a whole text file (env files); a failure is the reason in words. */
export const readText: ReadText = (path) => {
  try {
    return { ok: true, text: readFileSync(path, 'utf8') };
  } catch (e) {
    return { ok: false, reason: readFailure(e) };
  }
};

function readFailure(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  return code === 'ENOENT'
    ? 'no such file'
    : code === 'EISDIR'
      ? 'it is a directory'
      : code === 'EACCES'
        ? 'permission denied'
        : (e as Error).message;
}
