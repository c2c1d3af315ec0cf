/**
 * `--env-file=FILE` (repeatable) on `rnx job run`: dotenv files, relative to the working
 * directory, later files winning. A single job gets their variables; a workflow looks up in them
 * the variables it gives without a value (`TOKEN:`), under rnx's own environment.
 */
import { resolve } from 'node:path';
import { fail, ok, type Result } from '../problem.js';
import { parseDotenv } from '../validate/env/dotenv.js';
import { readText } from '../validate/load/read-text.js';
import { listOption, type ParsedArgs } from './args.js';
import type { CliContext } from './context.js';

export function envFileValues(ctx: CliContext, args: ParsedArgs): Result<Record<string, string>> {
  const values: Record<string, string> = {};
  for (const name of listOption(args.options, 'env-file')) {
    const got = readText(resolve(ctx.cwd, name));
    if (!got.ok) return fail('usage', `--env-file=${name}: cannot read it: ${got.reason}`);
    Object.assign(values, parseDotenv(got.text));
  }
  return ok(values);
}
