/**
 * Runs a command the way the isolation runner starts a job, but without the runner (no cgroup, no
 * network, no records): bubblewrap with the job filesystem's steps and the default capabilities,
 * through setpriv, then exec. Used to test the filesystem layer on its own with real mounts.
 */
import { spawn } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  mkdirSync,
  readFileSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import type { JobSpec } from '../../src/isolation/job-spec.js';
import {
  prepareJobFilesystem,
  releaseJobFilesystem,
  type FilesystemFiles,
} from '../../src/isolation/filesystem/job-filesystem.js';
import { withExtraSteps } from '../../src/isolation/filesystem/mount-plan.js';
import { DEFAULT_CAPABILITIES } from '../../src/isolation/start/capabilities.js';
import { setprivLauncher } from '../../src/isolation/start/final-exec.js';
import { findTool } from '../../src/host-tools.js';
import { sandboxProgram } from '../../src/isolation/sandbox/sandbox-program.js';
import { sandboxArgs } from '../../src/isolation/start/sandbox-args.js';
import type { Database } from '../../src/state/database.js';

export interface FsJobRun {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

let counter = 0;

export function fsSpec(extra: Partial<JobSpec> = {}): JobSpec {
  counter += 1;
  return {
    id: `fsjob-${String(process.pid)}-${String(counter)}`,
    command: 'sh',
    args: [],
    env: {},
    secretEnv: {},
    network: 'none',
    resources: {},
    ...extra,
  };
}

export interface FsJobOptions {
  readonly files?: FilesystemFiles;
  /** Called with the sandbox process (rnx-sandbox or bwrap) once it started (e.g. to kill it). */
  readonly onSpawn?: (pid: number) => void;
}

export async function runFsJob(
  db: Database,
  stateDir: string,
  spec: JobSpec,
  argv: readonly string[],
  options: FsJobOptions = {},
): Promise<FsJobRun> {
  const fs = await prepareJobFilesystem(db, stateDir, spec, options.files ?? {});
  if (!fs.ok) throw new Error(`prepare failed: ${fs.problem.message}`);
  const launcher = setprivLauncher(findTool('setpriv') ?? 'setpriv', fs.value.hostRoot);
  const [command = 'true', ...args] = argv;
  const program = sandboxProgram();
  if (!program.ok) throw new Error(program.problem.message);
  const run = await new Promise<FsJobRun>((resolve, reject) => {
    const child = spawn(
      program.value.kind === 'rnx-sandbox' ? program.value.path : 'bwrap',
      sandboxArgs({
        program: program.value.kind,
        hostname: 'fsjob',
        fs: withExtraSteps(fs.value.steps, launcher.steps),
        final: { capabilities: DEFAULT_CAPABILITIES },
        setpriv: launcher.argv,
        command,
        args,
        protocol: 'none',
      }),
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
    if (child.pid !== undefined) options.onSpawn?.(child.pid);
  });
  const released = await releaseJobFilesystem(db, stateDir, spec.id);
  if (!released.ok) throw new Error(released.problem.message);
  return run;
}

/** Mount points of this (the test's) namespace, for "nothing left mounted" checks. */
export function mountTable(): string {
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((line) => line.split(' ').slice(4, 5).join(' '))
    .sort()
    .join('\n');
}

/**
 * A tiny root filesystem: the static busybox with the applets tests use, and an /etc/os-release
 * that says which runtime it is.
 */
export function makeBusyboxRootfs(dir: string, osName: string): string {
  mkdirSync(join(dir, 'bin'), { recursive: true });
  mkdirSync(join(dir, 'etc'), { recursive: true });
  copyFileSync('/usr/bin/busybox', join(dir, 'bin', 'busybox'));
  chmodSync(join(dir, 'bin', 'busybox'), 0o755);
  for (const applet of [
    'sh',
    'umount',
    'cat',
    'ls',
    'echo',
    'touch',
    'mkdir',
    'pwd',
    'wc',
    'grep',
  ]) {
    symlinkSync('busybox', join(dir, 'bin', applet));
  }
  writeFileSync(join(dir, 'etc', 'os-release'), `NAME="${osName}"\nID=rnxtest\n`);
  return dir;
}
