/**
 * Uploads are named relative to the workflow file and must stay inside its folder: no leading '/',
 * no '..' that climbs out (checked on the text), and, when the catalog can look at the host, no
 * symlink that points out, and the file or directory must exist.
 */
import { posix } from 'node:path';
import type { Diagnostic } from '../diagnostic.js';
import type { Rule } from '../rule.js';
import { diagnosticAt } from '../rule.js';
import { isMapData, stringsOf, writtenJobs } from '../workflows.js';

export function escapesFolder(path: string): boolean {
  const normal = posix.normalize(path);
  return posix.isAbsolute(normal) || normal === '..' || normal.startsWith('../');
}

export const checkUploads: Rule = ({ loaded, workflows, catalog }) => {
  const out: Diagnostic[] = [];
  for (const workflow of workflows) {
    for (const job of writtenJobs(workflow)) {
      const uploads = job.data['uploads'];
      if (!isMapData(uploads)) continue;
      for (const kind of ['files', 'directories']) {
        for (const item of stringsOf(uploads[kind])) {
          const at = { path: [...job.path, 'uploads', kind, item.index] };
          const found = escapesFolder(item.value)
            ? {
                code: 'upload-outside',
                message: `upload '${item.value}' of job '${job.name}' is outside the workflow file's folder`,
                hint: "name uploads relative to the workflow file, without leading '/' or '..'",
              }
            : catalog.checkUpload?.(
                loaded.file,
                item.value,
                kind === 'files' ? 'file' : 'directory',
              );
          if (found === undefined) continue;
          out.push(
            diagnosticAt(loaded, at, {
              code: found.code,
              message: found.message,
              ...(found.hint === undefined ? {} : { hint: found.hint }),
            }),
          );
        }
      }
    }
  }
  return out;
};
