/**
 * `FILE` or `FILE:NAME`: a workflow file, and optionally which of its named workflows
 * (`workflows:` in the file) to use. The name is split off only after a `.yaml`/`.yml` file name,
 * so paths that contain ':' elsewhere still work.
 */
import type { CliContext } from '../context.js';
import { printProblem } from '../print.js';

export interface WorkflowTarget {
  readonly file: string;
  readonly workflow?: string;
}

export function parseWorkflowTarget(text: string): WorkflowTarget {
  const m = /^(.+\.ya?ml):([^/:]+)$/i.exec(text);
  if (m === null) return { file: text };
  return { file: m[1] as string, workflow: m[2] };
}

/**
 * The one workflow file a command takes (`workflow graph`, `workflow export`); says so and returns
 * undefined when there is none or more than one.
 */
export function soleWorkflowArgument(
  ctx: CliContext,
  positionals: readonly string[],
  usage: string,
): string | undefined {
  const [text, ...extra] = positionals;
  if (text !== undefined && extra.length === 0) return text;
  printProblem(ctx, {
    code: 'usage',
    message: 'name exactly one workflow file',
    hint: `usage: ${usage}`,
  });
  return undefined;
}
