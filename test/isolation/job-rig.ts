/** Shared rig for the runner's real-kernel tests: a job spec with defaults, run in-process. */
import { readFileSync } from 'node:fs';
import { newJobId } from '../../src/isolation/records/job-id.js';
import type { JobResult, JobSpec } from '../../src/isolation/job-spec.js';
import {
  runJob,
  type RunHooks,
  type RunnerOptions,
  type StartedInfo,
} from '../../src/isolation/runner.js';
import { stateDir } from '../../src/state/database.js';
import { removalsDone } from '../../src/isolation/end/removals.js';

export function jobSpec(command: string, args: string[], extra: Partial<JobSpec> = {}): JobSpec {
  return {
    id: newJobId(),
    command,
    args,
    env: {},
    secretEnv: {},
    network: 'none',
    resources: {},
    ...extra,
  };
}

export interface Ran {
  readonly result: JobResult;
  readonly stdout: string;
  readonly stderr: string;
  readonly started?: StartedInfo;
}

export async function run(
  spec: JobSpec,
  hooks: RunHooks = {},
  options: RunnerOptions = {},
): Promise<Ran> {
  let stdout = '';
  let stderr = '';
  let started: StartedInfo | undefined;
  const result = await runJob(
    spec,
    {
      ...hooks,
      onStdout: (c) => {
        stdout += c.toString();
        hooks.onStdout?.(c);
      },
      onStderr: (c) => {
        stderr += c.toString();
        hooks.onStderr?.(c);
      },
      onStarted: (info) => {
        started = info;
        hooks.onStarted?.(info);
      },
    },
    { stateDir: stateDir(), ...options },
  );
  // What rnx removes after the end is reported (its directories) is gone when a command ends.
  await removalsDone();
  return { result, stdout, stderr, ...(started === undefined ? {} : { started }) };
}

export function sh(script: string, extra: Partial<JobSpec> = {}): JobSpec {
  return jobSpec('sh', ['-c', script], extra);
}

/**
 * The process is running (a zombie is not: it has ended and waits only for its parent, which may
 * be this machine's init once bwrap, its parent, died with rnx).
 */
export function processExists(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${String(pid)}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
