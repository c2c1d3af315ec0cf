/**
 * The kernel-side floor of an rnx job, for the engine benchmark: the very sandbox command line rnx
 * runs for a host-root `none` job (its namespaces, the job's mounts, /dev, the masked paths, the
 * capabilities dropped; see src/isolation/start/sandbox-args.ts), without the start protocol fds,
 * so that `make` can run it as a baseline of the same kernel work. Either program rnx can use:
 * rnx-sandbox (the capabilities are its own options) or bwrap followed by setpriv.
 */
import { join } from 'node:path';
import { newJobId } from '../src/isolation/records/job-id.js';
import {
  prepareJobFilesystem,
  releaseJobFilesystem,
  type JobFilesystem,
} from '../src/isolation/filesystem/job-filesystem.js';
import { writeJobFiles } from '../src/isolation/filesystem/job-files.js';
import { withExtraSteps } from '../src/isolation/filesystem/mount-plan.js';
import { DEFAULT_CAPABILITIES } from '../src/isolation/start/capabilities.js';
import { setprivLauncher } from '../src/isolation/start/final-exec.js';
import { sandboxArgs } from '../src/isolation/start/sandbox-args.js';
import type { Database } from '../src/state/database.js';

/** A sandbox program as the benchmark runs it: rnx-sandbox's file, or bwrap (from PATH). */
export type BenchSandboxProgram =
  { readonly kind: 'rnx-sandbox'; readonly path: string } | { readonly kind: 'bwrap' };

export interface JobSandbox {
  /** The program and its arguments, running the command (`true` by default). */
  argv(program: BenchSandboxProgram): string[];
  release(): Promise<void>;
}

/** One prepared job filesystem, which each program's command line runs (one at a time). */
export async function jobSandbox(
  db: Database,
  stateDir: string,
  command: readonly string[] = ['true'],
): Promise<JobSandbox> {
  const fs = await sandboxFilesystem(db, stateDir);
  return {
    argv: (program) => sandboxCommand(fs, `rnx-${fs.jobId}`, program, command),
    release: async () => void (await releaseJobFilesystem(db, stateDir, fs.jobId)),
  };
}

/** A host-root `none` job's filesystem as rnx prepares it (its hosts and resolv.conf too). */
export async function sandboxFilesystem(
  db: Database,
  stateDir: string,
  volumes: readonly string[] = [],
): Promise<JobFilesystem> {
  const id = newJobId();
  const files = writeJobFiles(join(stateDir, 'run', id), {
    stateDir,
    hostname: `rnx-${id}`,
    hosts: [],
    hasNetwork: false,
  });
  const prepared = await prepareJobFilesystem(
    db,
    stateDir,
    {
      id,
      command: 'true',
      args: [],
      env: {},
      secretEnv: {},
      network: 'none',
      resources: {},
      volumes: [...volumes],
    },
    { hostsFile: files.hosts, resolvFile: files.resolv },
  );
  if (!prepared.ok) throw new Error(prepared.problem.message);
  return prepared.value;
}

/**
 * The whole command line (the program first) for a prepared job filesystem, as rnx gives it for a
 * job without the start protocol: the job's steps, the capabilities dropped (by rnx-sandbox
 * itself, or by setpriv after bwrap), then the command.
 */
export function sandboxCommand(
  fs: Pick<JobFilesystem, 'steps' | 'hostRoot'>,
  hostname: string,
  program: BenchSandboxProgram,
  command: readonly string[] = ['true'],
): string[] {
  const file = program.kind === 'rnx-sandbox' ? program.path : 'bwrap';
  return [file, ...sandboxProgramArgs(fs, hostname, program.kind, command)];
}

/** bwrap's arguments (without the program), then setpriv's; for the mounts benchmarks. */
export function bwrapArgs(
  fs: Pick<JobFilesystem, 'steps' | 'hostRoot'>,
  hostname: string,
  command: readonly string[] = ['true'],
): string[] {
  return sandboxProgramArgs(fs, hostname, 'bwrap', command);
}

function sandboxProgramArgs(
  fs: Pick<JobFilesystem, 'steps' | 'hostRoot'>,
  hostname: string,
  program: BenchSandboxProgram['kind'],
  command: readonly string[],
): string[] {
  // As the runner does: setpriv's launcher (its binds, for a runtime's root) whichever the
  // program; rnx-sandbox ignores the launcher's argv and takes the capabilities as --caps.
  const launcher = setprivLauncher('/usr/bin/setpriv', fs.hostRoot);
  return sandboxArgs({
    program,
    hostname,
    fs: withExtraSteps(fs.steps, launcher.steps),
    final: { capabilities: DEFAULT_CAPABILITIES },
    setpriv: launcher.argv,
    command: command[0] ?? 'true',
    args: command.slice(1),
    protocol: 'none',
  });
}

/** One word for sh (and make): single-quoted. */
export function shellWord(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}
