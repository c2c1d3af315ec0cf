/**
 * Environment variables that make a program load or write what they name before its own code
 * runs: the dynamic loader's (`LD_PRELOAD`, `LD_LIBRARY_PATH`, `LD_AUDIT`... every `LD_*`), and
 * glibc's that load modules or write files (`GCONV_PATH`, `GLIBC_TUNABLES`, `MALLOC_TRACE`,
 * `LOCPATH`, `NLSPATH`), and bash's start-up file (`BASH_ENV`). A job may not set them: rnx starts
 * programs of the host with a job's environment as root with every capability, outside the job's
 * sandbox or before its capabilities are dropped (an exec probe's `sh` and `nsenter`, a background
 * job's supervisor, bwrap and setpriv), so `LD_PRELOAD=/volumes/v/x.so` would run the job's code
 * as the host's root (rnx-sandbox is linked statically for this reason too). Inside the job the
 * command can set them itself: `sh -c 'LD_PRELOAD=/work/x.so exec CMD'`.
 */
import { fail, ok, type Result } from './problem.js';

const NAMED = new Set([
  'GCONV_PATH',
  'GLIBC_TUNABLES',
  'MALLOC_TRACE',
  'LOCPATH',
  'NLSPATH',
  'BASH_ENV',
]);

export function loaderVariable(name: string): boolean {
  return name.startsWith('LD_') || NAMED.has(name);
}

export const LOADER_VARIABLE_HINT =
  "set it inside the job's command instead, e.g. sh -c 'LD_PRELOAD=/work/x.so exec CMD'";

export function loaderVariableMessage(name: string): string {
  return `'${name}' cannot be set in a job's environment: rnx starts host programs (sh, nsenter, setpriv, bwrap) with it as root, before the job's sandbox contains them`;
}

/** `env-unsafe` for the first such name. */
export function checkJobEnvNames(names: Iterable<string>): Result<void> {
  for (const name of names) {
    if (loaderVariable(name)) {
      return fail('env-unsafe', loaderVariableMessage(name), LOADER_VARIABLE_HINT);
    }
  }
  return ok(undefined);
}
