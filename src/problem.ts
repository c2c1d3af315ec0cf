/**
 * Problems are data. A user mistake or an unmet host requirement is returned as a Problem, never
 * thrown; only broken invariants throw. The CLI is the one place that turns a Problem into text
 * and an exit code.
 *
 * Every problem code is listed once in PROBLEM_KINDS with its kind; the CLI maps each kind to one
 * exit code (src/cli/exit-codes.ts). A new code that is not in the table does not compile, so the
 * documented exit codes stay true without anyone matching code strings.
 */
import type { NameKind } from './names.js';

/**
 * - `input`: the user asked for something invalid or refused (bad flag, name, CIDR, a network in
 *   use); nothing was changed.
 * - `not-found`: the thing asked for by name or id does not exist.
 * - `failed`: the operation ran and failed (a tool failed, a job could not start).
 * - `host`: this host lacks something rnx needs (a tool, root, a cgroup controller).
 */
export type ProblemKind = 'input' | 'not-found' | 'failed' | 'host';

type NameCodes = `${NameKind}-name-invalid`;

const PROBLEM_KINDS = {
  // command line and input values
  usage: 'input',
  'invalid-duration': 'input',
  'invalid-size': 'input',
  'invalid-number': 'input',
  'invalid-cpu-set': 'input',
  'out-of-range': 'input',
  'job-name-invalid': 'input',
  'network-name-invalid': 'input',
  'volume-name-invalid': 'input',
  'runtime-name-invalid': 'input',
  'env-name-invalid': 'input',
  'env-unsafe': 'input',
  'workflow-invalid': 'input',
  // networks
  'cidr-invalid': 'input',
  'cidr-not-network': 'input',
  'cidr-too-small': 'input',
  'cidr-overlap': 'input',
  'cidr-reserved': 'input',
  'cidr-host-conflict': 'input',
  'network-exists': 'input',
  'network-builtin': 'input',
  'network-in-use': 'input',
  'bridge-name-taken': 'input',
  'network-not-found': 'not-found',
  'network-none': 'failed',
  'network-full': 'failed',
  'lease-exists': 'failed',
  'bridge-failed': 'failed',
  'attach-failed': 'failed',
  'network-setup': 'failed',
  'forwarding-failed': 'host',
  // volumes, runtimes, uploads, the job filesystem
  'volume-exists': 'input',
  'volume-in-use': 'input',
  'volume-not-found': 'not-found',
  'runtime-exists': 'input',
  'runtime-bad-path': 'input',
  'runtime-dir-missing': 'input',
  'runtime-not-rootfs': 'input',
  'runtime-not-found': 'not-found',
  'runtime-missing': 'failed',
  'upload-not-found': 'input',
  'upload-not-file': 'input',
  'upload-not-directory': 'input',
  'upload-clash': 'input',
  'upload-escapes': 'input',
  'upload-failed': 'failed',
  'unsafe-path': 'host',
  'mount-left': 'failed',
  'mount-failed': 'failed',
  'fifo-failed': 'failed',
  'unknown-capability': 'input',
  // who a job runs as (src/isolation/start/job-user.ts)
  'user-invalid': 'input',
  'user-unknown': 'input',
  'group-unknown': 'input',
  'chown-failed': 'failed',
  // workflow export to Argo: located diagnostics; an error makes the export exit 2, a warning
  // says what changes on Argo (src/export/argo/)
  'argo-daemon-result': 'input',
  'argo-no-image': 'input',
  'argo-task-name-clash': 'input',
  'argo-upload-too-large': 'input',
  'argo-uploads-too-large': 'input',
  'argo-daemon-lifetime': 'input',
  'argo-network-api-server': 'input',
  'argo-network-unknown': 'input',
  'argo-no-cpu-pinning': 'input',
  'argo-no-io-limit': 'input',
  'argo-no-pids-limit': 'input',
  'argo-runtime-image': 'input',
  'argo-secrets-unmasked': 'input',
  'argo-template-expression': 'input',
  'argo-timeout-rounded': 'input',
  'argo-upload-empty-directory': 'input',
  'argo-upload-not-file': 'input',
  'argo-upload-replaced': 'input',
  'argo-upload-symlink': 'input',
  'argo-uploads-read-only': 'input',
  'argo-volume-shared': 'input',
  'argo-volume-size': 'input',
  'argo-output-lines': 'input',
  'argo-artifact-glob': 'input',
  'argo-pass-through': 'input',
  'argo-ready-log': 'input',
  'argo-ready-address': 'input',
  'argo-user-name': 'input',
  'argo-stop-signal': 'input',
  'output-unwritable': 'failed',
  // jobs, runs and records
  'not-found': 'not-found',
  'ambiguous-id': 'input',
  'start-failed': 'failed',
  'name-taken': 'input',
  'cgroup-busy': 'failed',
  // workflow outputs and artifacts
  'output-missing': 'failed',
  'artifact-missing': 'failed',
  'output-too-large': 'failed',
  'run-not-finished': 'input',
  // the state directory (src/state/state-fault.ts)
  'state-full': 'host',
  'state-read-only': 'host',
  'state-corrupt': 'host',
  'state-busy': 'host',
  'state-dir-unusable': 'host',
  // the host
  'tool-missing': 'host',
  'tool-failed': 'failed',
  'tool-timeout': 'failed',
  'host-missing': 'host',
  'capability-unavailable': 'host',
  'host-cgroup': 'host',
  'not-root': 'host',
} as const satisfies Record<string, ProblemKind> & Record<NameCodes, 'input'>;

/** Every problem code rnx knows; stable, kebab-case, e.g. `cidr-overlap`. */
export type ProblemCode = keyof typeof PROBLEM_KINDS;

/** The codes of `rnx workflow export --target=argo`'s diagnostics. */
export type ArgoExportCode = Extract<ProblemCode, `argo-${string}`>;

export function problemKind(code: ProblemCode): ProblemKind {
  return PROBLEM_KINDS[code];
}

/** Every code with its kind, for the documentation test and `rnx --help`. */
export function problemCodes(): readonly (readonly [ProblemCode, ProblemKind])[] {
  return Object.entries(PROBLEM_KINDS) as [ProblemCode, ProblemKind][];
}

export interface Problem {
  readonly code: ProblemCode;
  /** One line saying what is wrong, e.g. `CIDR 10.1.0.0/24 overlaps with ...`. */
  readonly message: string;
  /** Optional advice: what to run or install to fix it. */
  readonly hint?: string;
}

export type Result<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly problem: Problem };

export function ok<T>(value: T): Result<T> {
  return { ok: true, value };
}

export function fail<T = never>(code: ProblemCode, message: string, hint?: string): Result<T> {
  return { ok: false, problem: hint === undefined ? { code, message } : { code, message, hint } };
}
