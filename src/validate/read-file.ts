/** The thin file-reading wrapper around validateWorkflow: reads the file, reports unreadable ones. */
import { closeSync, constants, fstatSync, openSync, readFileSync, type Stats } from 'node:fs';
import { resolve } from 'node:path';
import type { Catalog } from './catalog.js';
import type { ReadText } from './env-files.js';
import { loadText } from './load-large.js';
import type { LoadedFile } from './load.js';
import type { ValidateOptions, ValidationResult } from './validate-workflow.js';
import { validateLoaded } from './validate-workflow.js';

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

/**
 * Reads a whole text file (workflow and env files); a failure is the reason in words. Only a
 * regular file is read: a FIFO would block until something writes to it, and a device such as
 * /dev/zero never ends. Opened non-blocking, so that checking what it is never waits.
 */
export const readText: ReadText = (path) => {
  let fd: number | undefined;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
    const stats = fstatSync(fd);
    if (!stats.isFile()) return { ok: false, reason: `it is ${kindOf(stats)}, not a regular file` };
    return { ok: true, text: readFileSync(fd, 'utf8') };
  } catch (e) {
    return { ok: false, reason: readFailure(e) };
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
};

function kindOf(stats: Stats): string {
  if (stats.isDirectory()) return 'a directory';
  if (stats.isFIFO()) return 'a FIFO (named pipe)';
  if (stats.isSocket()) return 'a socket';
  if (stats.isCharacterDevice() || stats.isBlockDevice()) return 'a device';
  return 'not a regular file';
}

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
