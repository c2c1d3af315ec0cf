/**
 * The job graph of one workflow: one node per job (file order), one edge per valid `requires`
 * entry, from the required job to the job that waits for it. Cycle paths and waves come out the
 * same on every run.
 *
 * Two maps, not a graph library: what validation asks of the graph (each job's requirements and
 * dependents, Kahn's algorithm for cycles and waves) is a few loops, and graphology's module set-up
 * alone cost every `rnx workflow validate` about 2 ms of its start (README: "Start-up").
 */
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
  /** Job name → position in the file: the graph's nodes. */
  readonly order: ReadonlyMap<string, number>;
  /** For each job, its valid requirements in file order (unknown jobs, self and repeats left out). */
  readonly requires: ReadonlyMap<string, readonly GraphEdge[]>;
  /** For each job, the jobs that require it, in file order. */
  readonly dependents: ReadonlyMap<string, readonly string[]>;
}

export function buildJobGraph(workflow: WorkflowView): JobGraph {
  const order = workflow.jobIndex;
  const requires = new Map<string, GraphEdge[]>();
  const dependents = new Map<string, string[]>();
  for (const job of workflow.jobs) dependents.set(job.name, []);
  for (const job of workflow.jobs) {
    const list: GraphEdge[] = [];
    const seen = new Set<string>();
    for (const r of requirementsOf(job)) {
      if (r.job === job.matrix?.job) continue; // an instance requiring its own matrix job
      const instances = workflow.groups.get(r.job);
      for (const name of instances ?? [r.job]) {
        if (name === job.name || !order.has(name) || seen.has(name)) continue;
        seen.add(name);
        dependents.get(name)?.push(job.name);
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
  return { order, requires, dependents };
}

/**
 * Every independent cycle, each as the list of edges `a requires b`, `b requires c`, `c requires
 * a`, starting at the job that comes first in the file. Empty when the graph is acyclic.
 */
export function findCycles(g: JobGraph): GraphEdge[][] {
  const left = new Set(g.order.keys());
  const cycles: GraphEdge[][] = [];
  for (;;) {
    generations(g, left);
    if (left.size === 0) return cycles;
    const cycle = walkToCycle(g, left);
    cycles.push(cycle);
    for (const edge of cycle) left.delete(edge.job);
  }
}

/** Compares jobs by their place in the file. */
function byOrder(g: JobGraph): (a: string, b: string) => number {
  return (a, b) => (g.order.get(a) ?? 0) - (g.order.get(b) ?? 0);
}

/**
 * Kahn's algorithm, a generation at a time, over the jobs in `left`: removes from `left` every job
 * that does not wait, directly or through others, on a cycle, and returns them as waves (each
 * wave's jobs require only jobs of earlier waves, and every job is in the first wave it can be).
 * What stays in `left` is on a cycle or waits for one.
 */
function generations(g: JobGraph, left: Set<string>): string[][] {
  const waitingOn = new Map<string, number>();
  let wave: string[] = [];
  for (const job of left) {
    const n = (g.requires.get(job) ?? []).filter((e) => left.has(e.requires)).length;
    waitingOn.set(job, n);
    if (n === 0) wave.push(job);
  }
  const waves: string[][] = [];
  while (wave.length > 0) {
    waves.push(wave);
    const next: string[] = [];
    for (const job of wave) {
      left.delete(job);
      for (const dependent of g.dependents.get(job) ?? []) {
        const n = waitingOn.get(dependent);
        if (n === undefined) continue; // not in `left`
        waitingOn.set(dependent, n - 1);
        if (n - 1 === 0) next.push(dependent);
      }
    }
    wave = next;
  }
  return waves;
}

/** Follows first requirements from the first job left until a job repeats: that loop is a cycle. */
function walkToCycle(g: JobGraph, left: Set<string>): GraphEdge[] {
  const start = [...left].sort(byOrder(g))[0] as string;
  const seenAt = new Map<string, number>();
  const path: GraphEdge[] = [];
  let job = start;
  while (!seenAt.has(job)) {
    seenAt.set(job, path.length);
    const next = (g.requires.get(job) ?? []).find((e) => left.has(e.requires));
    if (next === undefined) break; // cannot happen after generations(); keeps the loop finite
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

/**
 * Waves of an acyclic graph (see generations), file order within. Jobs on a cycle are in no wave
 * (validation reports the cycle and makes no plan).
 */
export function wavesOf(g: JobGraph): string[][] {
  // File order within a wave: sorted here only, not for findCycles, which needs no waves.
  return generations(g, new Set(g.order.keys())).map((wave) => wave.sort(byOrder(g)));
}
