/**
 * The kernel-side floor of an rnx job, for the engine benchmark: the very bwrap command line rnx
 * runs for a host-root `none` job (its namespaces, the job's mounts, /dev, the masked paths, then
 * setpriv dropping capabilities; see src/isolation/start/sandbox-args.ts), without the start
 * protocol fds, so that `make` can run it as a baseline of the same kernel work.
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

export interface JobSandbox {
  /** `bwrap` and its arguments, running the command (`true` by default). */
  readonly argv: readonly string[];
  /** The command, as given. */
  readonly command: readonly string[];
  release(): Promise<void>;
}

export async function jobSandbox(
  db: Database,
  stateDir: string,
  command: readonly string[] = ['true'],
): Promise<JobSandbox> {
  const fs = await sandboxFilesystem(db, stateDir);
  return {
    argv: ['bwrap', ...bwrapArgs(fs, `rnx-${fs.jobId}`, command)],
    command,
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
 * bwrap's arguments for a prepared job filesystem, as rnx gives them for a job without the start
 * protocol: the job's steps, then setpriv dropping capabilities, then the command.
 */
export function bwrapArgs(
  fs: Pick<JobFilesystem, 'steps' | 'hostRoot'>,
  hostname: string,
  command: readonly string[] = ['true'],
): string[] {
  const launcher = setprivLauncher('/usr/bin/setpriv', fs.hostRoot);
  return sandboxArgs({
    program: 'bwrap',
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
