/**
 * The job's environment: a small clean base (rnx's own environment is not passed on), then the
 * user's variables, then the secret ones. Secrets are in the job's environment only: the caller
 * keeps them out of records and output.
 */
import type { JobSpec } from '../job-spec.js';

export const BASE_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export function jobEnvironment(spec: JobSpec, hostname: string): Record<string, string> {
  return {
    PATH: BASE_PATH,
    // The job's root is read-only; its workspace is where it can write (dotfiles, caches).
    HOME: '/work',
    HOSTNAME: hostname,
    RNX_JOB_ID: spec.id,
    ...(spec.name === undefined ? {} : { RNX_JOB_NAME: spec.name }),
    ...spec.env,
    ...spec.secretEnv,
  };
}

/** The job's hostname: its name, or `rnx-<id>` when it has none. At most 64 characters. */
export function jobHostname(spec: Pick<JobSpec, 'id' | 'name'>): string {
  return (spec.name ?? `rnx-${spec.id}`).slice(0, 64);
}
