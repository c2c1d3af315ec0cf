/**
 * The job graph of one workflow, on graphology: one node per job (file order), one edge per
 * valid `requires` entry, from the required job to the job that waits for it. Cycle paths and
 * waves come out the same on every run.
 */
import { DirectedGraph } from 'graphology';
import { hasCycle, topologicalGenerations } from 'graphology-dag';
import type { WorkflowView } from '../workflows.js';
import { requirementsOf } from '../workflows.js';

export interface GraphEdge {
  /** The job that waits. */
  readonly job: string;
  /** The job it requires. */
  readonly requires: string;
  readonly condition: unknown;
  /** Index of the entry in the waiting job's `requires` list. */
  readonly index: number;
  /** The matrix job named in the entry, when `requires` is one of its instances. */
  readonly group?: string;
}

export interface JobGraph {
  readonly graph: DirectedGraph;
  /** Job name → position in the file. */
  readonly order: ReadonlyMap<string, number>;
  /** For each job, its valid requirements in file order (unknown jobs, self and repeats left out). */
  readonly requires: ReadonlyMap<string, readonly GraphEdge[]>;
}

export function buildJobGraph(workflow: WorkflowView): JobGraph {
  const graph = new DirectedGraph();
  const requires = new Map<string, GraphEdge[]>();
  for (const job of workflow.jobs) graph.addNode(job.name);
  for (const job of workflow.jobs) {
    const list: GraphEdge[] = [];
    for (const r of requirementsOf(job)) {
      if (r.job === job.matrix?.job) continue; // an instance requiring its own matrix job
      const instances = workflow.groups.get(r.job);
      for (const name of instances ?? [r.job]) {
        if (name === job.name || !graph.hasNode(name) || graph.hasEdge(name, job.name)) continue;
        graph.addEdge(name, job.name);
        list.push({
          job: job.name,
          requires: name,
          condition: r.condition,
          index: r.index,
          ...(instances === undefined ? {} : { group: r.job }),
        });
      }
    }
    requires.set(job.name, list);
  }
  return { graph, order: workflow.jobIndex, requires };
}

/**
 * Every independent cycle, each as the list of edges `a requires b`, `b requires c`, `c requires
 * a`, starting at the job that comes first in the file. Empty when the graph is acyclic.
 */
export function findCycles(g: JobGraph): GraphEdge[][] {
  if (!hasCycle(g.graph)) return [];
  const left = new Set(g.order.keys());
  const cycles: GraphEdge[][] = [];
  for (;;) {
    peel(g, left);
    if (left.size === 0) return cycles;
    const cycle = walkToCycle(g, left);
    cycles.push(cycle);
    for (const edge of cycle) left.delete(edge.job);
  }
}

/**
 * Removes jobs that do not wait on any job still in `left`, repeatedly (Kahn's algorithm): what
 * stays is on a cycle or waits for one.
 */
function peel(g: JobGraph, left: Set<string>): void {
  const waitingOn = new Map<string, number>();
  const free: string[] = [];
  for (const job of left) {
    const n = (g.requires.get(job) ?? []).filter((e) => left.has(e.requires)).length;
    waitingOn.set(job, n);
    if (n === 0) free.push(job);
  }
  for (let job = free.pop(); job !== undefined; job = free.pop()) {
    left.delete(job);
    for (const dependent of g.graph.outNeighbors(job)) {
      const n = waitingOn.get(dependent);
      if (n === undefined || !left.has(dependent)) continue;
      waitingOn.set(dependent, n - 1);
      if (n - 1 === 0) free.push(dependent);
    }
  }
}

/** Follows first requirements from the first job left until a job repeats: that loop is a cycle. */
function walkToCycle(g: JobGraph, left: Set<string>): GraphEdge[] {
  const start = [...left].sort(
    (a, b) => (g.order.get(a) ?? 0) - (g.order.get(b) ?? 0),
  )[0] as string;
  const seenAt = new Map<string, number>();
  const path: GraphEdge[] = [];
  let job = start;
  while (!seenAt.has(job)) {
    seenAt.set(job, path.length);
    const next = (g.requires.get(job) ?? []).find((e) => left.has(e.requires));
    if (next === undefined) break; // cannot happen after peel(); keeps the loop finite
    path.push(next);
    job = next.requires;
  }
  const loop = path.slice(seenAt.get(job) ?? 0);
  // Rotate so the cycle starts at its job that comes first in the file.
  let first = 0;
  loop.forEach((e, i) => {
    if ((g.order.get(e.job) ?? 0) < (g.order.get(loop[first]?.job ?? '') ?? 0)) first = i;
  });
  return [...loop.slice(first), ...loop.slice(0, first)];
}

/** Waves of an acyclic graph: each wave's jobs require only jobs of earlier waves; file order within. */
export function wavesOf(g: JobGraph): string[][] {
  const byOrder = (a: string, b: string): number => (g.order.get(a) ?? 0) - (g.order.get(b) ?? 0);
  return topologicalGenerations(g.graph).map((wave) => [...wave].sort(byOrder));
}
