/** A job may not wait for itself through others: report each cycle as its whole path. */
import type { Diagnostic } from '../diagnostic.js';
import type { GraphEdge, JobGraph } from '../plan/graph.js';
import { findCycles } from '../plan/graph.js';
import type { LoadedFile } from '../load/load.js';
import { diagnosticAt } from '../rule.js';
import type { WorkflowView } from '../workflows.js';

export function checkCycles(loaded: LoadedFile, workflow: WorkflowView, g: JobGraph): Diagnostic[] {
  return findCycles(g).map((cycle) => {
    const names = [...cycle.map((e) => e.job), cycle[0]?.job ?? ''];
    const at = (e: GraphEdge) => ({
      path: [
        ...(workflow.jobs[workflow.jobIndex.get(e.job) ?? -1]?.path ?? [
          ...workflow.path,
          'jobs',
          e.job,
        ]),
        'requires',
        e.index,
        e.group ?? e.requires,
      ],
      part: 'key' as const,
    });
    const [first, ...rest] = cycle as [GraphEdge, ...GraphEdge[]];
    return diagnosticAt(loaded, at(first), {
      code: 'cycle',
      message: `requires cycle: ${names.join(' -> ')}`,
      hint: 'each job waits for the next, so none can start; remove one of these requirements',
      related: rest.map((e) => ({ ...at(e), message: `'${e.job}' requires '${e.requires}'` })),
    });
  });
}
