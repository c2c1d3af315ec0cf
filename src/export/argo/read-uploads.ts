/**
 * Reads the files a workflow uploads, for their ConfigMap. Validation has already checked that
 * every upload exists and stays inside the workflow's folder (symlinks included); this only
 * collects contents and modes, and what a ConfigMap cannot hold: empty directories, symlinks
 * (their target's content is taken; a link back up the tree is not followed), and anything that
 * is neither a file nor a directory.
 */
import { lstatSync, readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Plan } from '../../validate/model.js';

export interface UploadFile {
  /** Path below the upload ('' for an uploaded file itself). */
  readonly rel: string;
  readonly bytes: Buffer;
  /** Permission bits (0o755 for a script). */
  readonly mode: number;
  /** True when this was a symlink, read through. */
  readonly symlink: boolean;
}

export interface UploadTree {
  readonly kind: 'file' | 'directory';
  readonly files: readonly UploadFile[];
  /** Directories with nothing in them ('' for the upload itself; a ConfigMap holds files only). */
  readonly emptyDirectories: readonly string[];
  /** Sockets, FIFOs, devices: not carried. */
  readonly others: readonly string[];
}

/** Every upload of the plan, by its absolute path. */
export function readUploads(plan: Plan): Map<string, UploadTree> {
  const out = new Map<string, UploadTree>();
  for (const job of plan.jobs) {
    for (const file of job.uploads.files) if (!out.has(file)) out.set(file, readFile(file));
    for (const dir of job.uploads.directories) if (!out.has(dir)) out.set(dir, readDirectory(dir));
  }
  return out;
}

function readFile(path: string): UploadTree {
  const stat = statSync(path);
  return {
    kind: 'file',
    files: [
      {
        rel: '',
        bytes: readFileSync(path),
        mode: stat.mode & 0o777,
        symlink: lstatSync(path).isSymbolicLink(),
      },
    ],
    emptyDirectories: [],
    others: [],
  };
}

function readDirectory(root: string): UploadTree {
  const files: UploadFile[] = [];
  const emptyDirectories: string[] = [];
  const others: string[] = [];
  const walk = (dir: string, rel: string, above: ReadonlySet<string>): void => {
    const real = realpathSync(dir);
    if (above.has(real)) {
      others.push(rel); // a symlink back to a directory above it: a loop
      return;
    }
    const path = new Set(above).add(real);
    const entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) =>
      a.name.localeCompare(b.name),
    );
    if (entries.length === 0) emptyDirectories.push(rel);
    for (const entry of entries) {
      const child = join(dir, entry.name);
      const childRel = rel === '' ? entry.name : `${rel}/${entry.name}`;
      const stat = statSync(child);
      if (stat.isDirectory()) walk(child, childRel, path);
      else if (stat.isFile())
        files.push({
          rel: childRel,
          bytes: readFileSync(child),
          mode: stat.mode & 0o777,
          symlink: entry.isSymbolicLink(),
        });
      else others.push(childRel);
    }
  };
  walk(root, '', new Set());
  return { kind: 'directory', files, emptyDirectories, others };
}
