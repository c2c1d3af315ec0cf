/**
 * cgroup v2 delegation. Controllers must be enabled in a parent's cgroup.subtree_control before its
 * children can use them, and a non-root cgroup with processes cannot enable controllers for its
 * children (the "no internal processes" rule). rnx enables what a job needs in its own cgroup; when
 * that fails because rnx itself sits there alone, it moves itself into a leaf `rnx-self` first.
 * If other processes share rnx's cgroup, the job fails with advice instead of touching them.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fail, ok, type Result } from '../../problem.js';
import type { CgroupLayout } from './layout.js';

const DELEGATE_HINT =
  'run rnx in a cgroup of its own with delegated controllers, e.g. systemd-run --scope -p Delegate=yes rnx ...';

function words(file: string): string[] {
  try {
    return readFileSync(file, 'utf8').trim().split(/\s+/).filter(Boolean);
  } catch {
    return [];
  }
}

/** Enables `needed` controllers for the children of rnx's own cgroup; returns that cgroup's dir. */
export function enableV2Controllers(
  layout: CgroupLayout,
  needed: readonly string[],
): Result<string> {
  const own = layout.unified ?? '';
  if (needed.length === 0) return ok(own);
  const available = words(join(own, 'cgroup.controllers'));
  const absent = needed.filter((c) => !available.includes(c));
  if (absent.length > 0) {
    return fail(
      'host-cgroup',
      `the cgroup v2 controller${absent.length > 1 ? 's' : ''} ${absent.join(', ')} ${absent.length > 1 ? 'are' : 'is'} not available in rnx's cgroup ${own}`,
      DELEGATE_HINT,
    );
  }
  const missing = needed.filter((c) => !words(join(own, 'cgroup.subtree_control')).includes(c));
  if (missing.length === 0) return ok(own);
  const enable = (): NodeJS.ErrnoException | undefined => {
    try {
      writeFileSync(join(own, 'cgroup.subtree_control'), missing.map((c) => `+${c}`).join(' '));
      return undefined;
    } catch (error) {
      return error as NodeJS.ErrnoException;
    }
  };
  let error = enable();
  if (error?.code === 'EBUSY' && own !== layout.unifiedRoot) {
    const procs = words(join(own, 'cgroup.procs')).map(Number);
    if (procs.every((pid) => pid === process.pid)) {
      const leaf = join(own, 'rnx-self');
      mkdirSync(leaf, { recursive: true });
      writeFileSync(join(leaf, 'cgroup.procs'), String(process.pid));
      error = enable();
    }
  }
  if (error !== undefined) {
    return fail(
      'host-cgroup',
      `cannot enable ${missing.join(', ')} for job cgroups beneath ${own}: ${error.code ?? error.message}`,
      DELEGATE_HINT,
    );
  }
  return ok(own);
}
