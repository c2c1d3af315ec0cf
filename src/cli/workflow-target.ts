/**
 * `FILE` or `FILE:NAME`: a workflow file, and optionally which of its named workflows
 * (`workflows:` in the file) to use. The name is split off only after a `.yaml`/`.yml` file name,
 * so paths that contain ':' elsewhere still work.
 */
export interface WorkflowTarget {
  readonly file: string;
  readonly workflow?: string;
}

export function parseWorkflowTarget(text: string): WorkflowTarget {
  const m = /^(.+\.ya?ml):([^/:]+)$/i.exec(text);
  if (m === null) return { file: text };
  return { file: m[1] as string, workflow: m[2] };
}
