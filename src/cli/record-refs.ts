/**
 * Job and run references on the command line (an id, a unique id prefix, or a job's name), and how
 * a command says that one names nothing (`not-found`, exit 1) or several records: an id prefix
 * they share is `ambiguous-id` (exit 2, like any input rnx refuses), with the first candidates named.
 */
import { runsMatching } from '../engine/records.js';
import { findJob, jobIdsWithPrefix, type JobRecord } from '../isolation/records/job-store.js';
import type { Problem } from '../problem.js';
import type { Database } from '../state/database.js';
import type { CliContext } from './context.js';
import { exitCodeFor } from './exit-codes.js';
import { printProblem } from './print.js';

/** Candidates an ambiguous prefix names, at most. */
export const CANDIDATES_SHOWN = 10;

/** The record a reference names, or the exit code after saying why there is none. */
export type Resolved<T> = { readonly found: T } | { readonly exit: number };

/**
 * The one job or run reference a command takes (`rnx job stop REF`), or undefined after saying
 * that it was not given exactly one (`usage`: 'rnx job stop takes one job id or name'): the
 * command then exits with EXIT.usage.
 */
export function oneRef(
  ctx: CliContext,
  positionals: readonly string[],
  usage: { readonly message: string; readonly hint?: string },
): string | undefined {
  const ref = positionals[0];
  if (ref !== undefined && positionals.length === 1) return ref;
  printProblem(ctx, { code: 'usage', ...usage });
  return undefined;
}

/** The job `ref` names, or the exit code after saying that it names none or several. */
export function jobOrReport(ctx: CliContext, db: Database, ref: string): Resolved<JobRecord> {
  const job = findJob(db, ref);
  if (job !== undefined) return { found: job };
  const candidates = jobIdsWithPrefix(db, ref, CANDIDATES_SHOWN + 1);
  return report(ctx, refProblem('job', ref, candidates, "see 'rnx job list'"));
}

/** Says that there is no run `ref`, or that several runs start with it; returns the exit code. */
export function noSuchRun(ctx: CliContext, db: Database, ref: string): number {
  const candidates = runsMatching(db, ref, CANDIDATES_SHOWN + 1).map((r) => r.id);
  return report(ctx, refProblem('run', ref, candidates, "see 'rnx workflow list'")).exit;
}

/** `candidates`: ids starting with `ref`, CANDIDATES_SHOWN + 1 of them when there are more. */
export function refProblem(
  what: 'job' | 'run',
  ref: string,
  candidates: readonly string[],
  seeList: string,
): Problem {
  if (candidates.length > 1) {
    const shown = candidates.slice(0, CANDIDATES_SHOWN).join(', ');
    const more = candidates.length > CANDIDATES_SHOWN ? ', ...' : '';
    return {
      code: 'ambiguous-id',
      message: `${what} id prefix '${ref}' is ambiguous: ${shown}${more}`,
      hint: 'give more characters of the id',
    };
  }
  const shownRef = ref.length > 80 ? `${ref.slice(0, 80)}...` : ref;
  return {
    code: 'not-found',
    message: what === 'job' ? `no job '${shownRef}'` : `no workflow run '${shownRef}'`,
    hint: seeList,
  };
}

function report(ctx: CliContext, problem: Problem): { readonly exit: number } {
  printProblem(ctx, problem);
  return { exit: exitCodeFor(problem) };
}
