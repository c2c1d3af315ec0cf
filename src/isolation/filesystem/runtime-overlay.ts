/**
 * A runtime job's root: an overlay of the registered tree under a per-job writable layer, so the
 * job can write anywhere and the tree never changes. bubblewrap 0.8 has no overlay option, so rnx
 * mounts it before the start, in its own mount namespace, at `<state>/fs/<jobid>/root` (upper and
 * work directories beside it), and bubblewrap binds it as the job's /. One `mount` process before
 * the start, one `umount` after the end; the per-job directory is recorded before the mount, so a
 * later rnx finds and unmounts it after a killed one (releaseJobFilesystem). Measured against the
 * alternatives in the README (Job filesystem section).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { runTool } from '../../exec.js';
import { fail, ok, type Result } from '../../problem.js';

export function overlayRoot(jobDir: string): string {
  return join(jobDir, 'root');
}

/** Overlay options cannot carry these characters in a path. */
const UNSAFE = /[,:\\\s]/;

export async function mountRuntimeOverlay(lower: string, jobDir: string): Promise<Result<string>> {
  if (UNSAFE.test(lower) || UNSAFE.test(jobDir)) {
    return fail(
      'unsafe-path',
      `path '${UNSAFE.test(lower) ? lower : jobDir}' has characters that cannot be passed to mount`,
      'use a state directory (RNX_STATE_DIR) and runtimes whose paths have no spaces, commas or colons',
    );
  }
  const root = overlayRoot(jobDir);
  for (const dir of ['upper', 'overlay-work', 'root'])
    mkdirSync(join(jobDir, dir), { mode: 0o755 });
  const options = `lowerdir=${lower},upperdir=${join(jobDir, 'upper')},workdir=${join(jobDir, 'overlay-work')}`;
  const run = await runTool('mount', ['-t', 'overlay', '-o', options, 'rnx-root', root]);
  if (!run.ok) return run;
  if (run.value.code !== 0) {
    return fail(
      'mount-failed',
      `the runtime's writable layer could not be mounted: ${run.value.stderr.trim()}`,
    );
  }
  return ok(root);
}

/** Detaches the overlay (lazily: the job's namespace may still hold its own copy for a moment). */
export async function unmountRuntimeOverlay(jobDir: string): Promise<Result<void>> {
  const run = await runTool('umount', ['-l', overlayRoot(jobDir)]);
  if (!run.ok) return run;
  if (run.value.code !== 0) {
    return fail(
      'mount-left',
      `could not unmount ${overlayRoot(jobDir)}: ${run.value.stderr.trim()}`,
    );
  }
  return ok(undefined);
}
