/**
 * Uploads: files and directories copied into the job's /work before it starts. Paths are relative
 * to a base directory (the workflow file's directory, or the working directory of `rnx job run`).
 * A workflow's uploads are confined: they must stay inside its directory (absolute paths, `..` that
 * climbs out and symlinks that point out are refused), so a checked-in workflow cannot carry away
 * files from elsewhere on the host. The paths a person names on the command line are not: they may
 * be absolute or anywhere readable. Each upload lands at /work/<its base name>.
 */
import {
  accessSync,
  constants,
  cpSync,
  lstatSync,
  readdirSync,
  realpathSync,
  statSync,
} from 'node:fs';
import { basename, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { fail, ok, type Problem, type Result } from '../../problem.js';

export type UploadKind = 'file' | 'directory';

export interface Upload {
  readonly kind: UploadKind;
  /** Absolute host path, checked to be inside the base directory. */
  readonly source: string;
  /** Name under /work. */
  readonly target: string;
}

function within(base: string, path: string): boolean {
  const rel = relative(base, path);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
}

function escapes(path: string, base: string, why: string): Problem {
  return {
    code: 'upload-escapes',
    message: `upload '${path}' ${why}`,
    hint: `uploads must be inside ${base}; copy the file there first`,
  };
}

/** The first symlink under `dir` that resolves outside `realBase`, if any. */
function symlinkOut(dir: string, realBase: string): string | undefined {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isSymbolicLink()) {
      let target: string;
      try {
        target = realpathSync(path);
      } catch {
        return path; // dangling or looping: it cannot be copied either
      }
      if (!within(realBase, target)) return path;
    } else if (entry.isDirectory()) {
      const found = symlinkOut(path, realBase);
      if (found !== undefined) return found;
    }
  }
  return undefined;
}

export interface UploadRules {
  /** Must the upload stay inside its base directory (a workflow's uploads)? Default true. */
  readonly confined?: boolean;
}

/**
 * Checks one upload path against its base directory; returns the Upload or a Problem saying why
 * it is refused. Reads the filesystem (existence, symlinks) but changes nothing.
 */
export function checkUpload(
  base: string,
  path: string,
  kind: UploadKind,
  rules: UploadRules = {},
): Result<Upload> {
  const confined = rules.confined ?? true;
  if (confined && isAbsolute(path)) {
    return { ok: false, problem: escapes(path, base, 'is an absolute path') };
  }
  const source = resolve(base, path);
  if (confined && !within(resolve(base), source)) {
    return { ok: false, problem: escapes(path, base, 'climbs out of its directory with ..') };
  }
  let realBase: string;
  let real: string;
  try {
    real = realpathSync(source);
    // Unconfined, the upload is its own base: its symlinks must only resolve somewhere.
    realBase = confined ? realpathSync(base) : '/';
    accessSync(real, constants.R_OK);
  } catch {
    return fail(
      'upload-not-found',
      `upload '${path}' does not exist or cannot be read (looked in ${base})`,
    );
  }
  if (!within(realBase, real)) {
    return { ok: false, problem: escapes(path, base, `is a symlink to ${real}, outside`) };
  }
  const stat = statSync(real);
  if (kind === 'file' && !stat.isFile()) {
    return fail(
      'upload-not-file',
      `upload '${path}' is not a regular file`,
      'use --upload-dir / uploads.directories for directories',
    );
  }
  if (kind === 'directory') {
    if (!stat.isDirectory())
      return fail('upload-not-directory', `upload '${path}' is not a directory`);
    const out = symlinkOut(real, realBase);
    if (out !== undefined && !confined) {
      return fail('upload-not-found', `upload '${path}': the symlink ${out} points nowhere`);
    }
    if (out !== undefined) {
      return {
        ok: false,
        problem: escapes(relative(base, out), base, 'is a symlink that points outside'),
      };
    }
  }
  const target = basename(source);
  return ok({
    kind,
    source: real,
    target: target === '' || target === '.' ? basename(realBase) : target,
  });
}

/** Checks every upload; two uploads may not land on the same name in /work. */
export function checkUploads(
  base: string,
  uploads: { readonly files: readonly string[]; readonly directories: readonly string[] },
  rules: UploadRules = {},
): Result<Upload[]> {
  const checked: Upload[] = [];
  const requests = [
    ...uploads.files.map((p) => ({ p, kind: 'file' as const })),
    ...uploads.directories.map((p) => ({ p, kind: 'directory' as const })),
  ];
  for (const { p, kind } of requests) {
    const upload = checkUpload(base, p, kind, rules);
    if (!upload.ok) return upload;
    const clash = checked.find((u) => u.target === upload.value.target);
    if (clash !== undefined) {
      return fail(
        'upload-clash',
        `uploads '${clash.source}' and '${upload.value.source}' would both be /work/${clash.target}`,
      );
    }
    checked.push(upload.value);
  }
  return ok(checked);
}

/**
 * Copies uploads (absolute host paths, already checked) into the workspace. Symlinks inside an
 * uploaded directory point inside it (checked), and are copied as the files they point to.
 */
export function copyUploads(
  uploads: { readonly files: readonly string[]; readonly directories: readonly string[] },
  workspace: string,
): Result<void> {
  const all = [...uploads.files, ...uploads.directories];
  for (const source of all) {
    const target = join(workspace, basename(source));
    try {
      if (lstatSync(target, { throwIfNoEntry: false }) !== undefined) {
        return fail('upload-clash', `two uploads would both be /work/${basename(source)}`);
      }
      cpSync(source, target, {
        recursive: true,
        dereference: true,
        errorOnExist: true,
        preserveTimestamps: true,
      });
    } catch (error) {
      return fail('upload-failed', `could not copy upload ${source}: ${(error as Error).message}`);
    }
  }
  return ok(undefined);
}
