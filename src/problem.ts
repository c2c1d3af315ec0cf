/**
 * Problems are data. A user mistake or an unmet host requirement is returned as a Problem, never
 * thrown; only broken invariants throw. The CLI is the one place that turns a Problem into text
 * and an exit code.
 */
export interface Problem {
  /** Stable machine-readable code, kebab-case, e.g. `cidr-overlap`. */
  readonly code: string;
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

export function fail<T = never>(code: string, message: string, hint?: string): Result<T> {
  return { ok: false, problem: hint === undefined ? { code, message } : { code, message, hint } };
}
