/**
 * rnx run as a user other than root (uid and gid 65534, no supplementary groups, so no
 * capabilities), as a person without sudo would run it. That user must be able to reach Node, rnx's
 * files and the working directory: a checkout every user may read is used as it is; one they
 * cannot reach (a clone under /root, mode 700) is mirrored once per test process into a
 * world-readable temporary directory: what running rnx reads (bin/, the bundle in dist/rnx/, the
 * example workflows) copied, and Node hard-linked (copied when it is on another file system).
 */
import { spawn } from 'node:child_process';
import {
  chmodSync,
  constants,
  copyFileSync,
  cpSync,
  linkSync,
  mkdtempSync,
  rmSync,
  statSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { collectRun, REPO_ROOT, RNX_BIN, type CliRun } from './cli.js';

export const NOBODY = 65534;

interface Runnable {
  readonly node: string;
  readonly bin: string;
  readonly cwd: string;
}

/** Whether every user may reach `path`: each directory above it searchable by others. */
function reachable(path: string, wanted: number): boolean {
  for (let dir = dirname(path); ; dir = dirname(dir)) {
    if ((statSync(dir).mode & constants.S_IXOTH) === 0) return false;
    if (dir === '/') break;
  }
  return (statSync(path).mode & wanted) !== 0;
}

let runnable: Runnable | undefined;

function runnableByAnyone(): Runnable {
  if (runnable !== undefined) return runnable;
  if (
    reachable(process.execPath, constants.S_IXOTH) &&
    reachable(RNX_BIN, constants.S_IROTH) &&
    reachable(join(REPO_ROOT, 'dist', 'rnx', 'main.cjs'), constants.S_IROTH)
  ) {
    runnable = { node: process.execPath, bin: RNX_BIN, cwd: REPO_ROOT };
    return runnable;
  }
  const root = mkdtempSync(join(tmpdir(), 'rnx-any-user-'));
  process.on('exit', () => rmSync(root, { recursive: true, force: true }));
  for (const part of ['bin', join('dist', 'rnx'), 'workflows']) {
    cpSync(join(REPO_ROOT, part), join(root, part), { recursive: true });
  }
  const node = join(root, 'node');
  try {
    linkSync(process.execPath, node);
  } catch {
    copyFileSync(process.execPath, node);
  }
  for (const dir of [root, join(root, 'bin'), join(root, 'dist'), join(root, 'dist', 'rnx')]) {
    chmodSync(dir, 0o755);
  }
  chmodSync(node, 0o755);
  runnable = { node, bin: join(root, 'bin', 'rnx.js'), cwd: root };
  return runnable;
}

/** `rnx ARGS` as uid and gid 65534 with no supplementary groups, from rnx's (or its mirror's) root. */
export function rnxAsNobody(args: readonly string[], env: NodeJS.ProcessEnv): Promise<CliRun> {
  const { node, bin, cwd } = runnableByAnyone();
  const child = spawn(
    'setpriv',
    [
      `--reuid=${String(NOBODY)}`,
      `--regid=${String(NOBODY)}`,
      '--clear-groups',
      node,
      bin,
      ...args,
    ],
    {
      cwd,
      env: { ...process.env, NO_COLOR: '1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 60_000,
    },
  );
  return collectRun(child);
}
