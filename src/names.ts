/**
 * The name rules of rnx, shared by the workflow format, the stores and the CLI, so that a name the
 * validator accepts is one `rnx network create` or `rnx volume create` accepts too. The patterns are
 * read from schemas/workflow.schema.json, the single source of field truth.
 */
import schema from '../schemas/workflow.schema.json' with { type: 'json' };
import { fail, ok, type Result } from './problem.js';

export type NameKind = 'job' | 'network' | 'volume' | 'runtime' | 'env';

export const NAME_PATTERNS: Readonly<Record<NameKind, RegExp>> = {
  job: new RegExp(schema.$defs.jobName.pattern),
  network: new RegExp(schema.$defs.networkName.pattern),
  volume: new RegExp(schema.$defs.volumeName.pattern),
  runtime: new RegExp(schema.$defs.runtimeName.pattern),
  env: new RegExp(schema.$defs.envName.pattern),
};

/** What each kind of name may look like, in words (for diagnostics and errors). */
export const NAME_RULES: Readonly<Record<NameKind, string>> = {
  job: "use lowercase letters, digits and '-', starting and ending with a letter or digit, at most 63 characters",
  network:
    "use lowercase letters, digits and '-', starting and ending with a letter or digit, at most 32 characters",
  volume:
    "use letters, digits, '_', '.' and '-', starting with a letter or digit, at most 64 characters",
  runtime:
    "use letters, digits, '_', '.', ':', '+' and '-', starting with a letter or digit, at most 128 characters",
  env: "start with a letter or '_', then only letters, digits and '_'",
};

const WHAT: Readonly<Record<NameKind, string>> = {
  job: 'job name',
  network: 'network name',
  volume: 'volume name',
  runtime: 'runtime name',
  env: 'environment variable name',
};

/** Checks a name; the problem quotes it (shortened when long) and states the rule. */
export function checkName(kind: NameKind, name: string): Result<string> {
  if (NAME_PATTERNS[kind].test(name)) return ok(name);
  const shown =
    name.length > 40
      ? `'${name.slice(0, 40)}...' (${String(name.length)} characters)`
      : `'${name}'`;
  return fail(`${kind}-name-invalid`, `invalid ${WHAT[kind]} ${shown}`, NAME_RULES[kind]);
}
