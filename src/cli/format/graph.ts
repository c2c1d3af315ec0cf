/** The job graph of a plan as Mermaid or Graphviz dot, edges from the required job to the waiting one, labelled with the condition. */
import type { Plan, Requirement } from '../../validate/model.js';

export type GraphFormat = 'mermaid' | 'dot';
export const GRAPH_FORMATS: readonly GraphFormat[] = ['mermaid', 'dot'];

export function formatGraph(plan: Plan, format: GraphFormat): string {
  return format === 'mermaid' ? mermaid(plan) : dot(plan);
}

/** The condition; on a matrix job's instance, `all COMPLETED` (every instance must meet it). */
function label(r: Requirement): string {
  if (r.of === undefined) return r.condition;
  return r.condition === 'FAILED' ? 'any FAILED' : `all ${r.condition}`;
}

function mermaid(plan: Plan): string {
  const id = new Map(plan.jobs.map((j, i) => [j.name, `j${i}`]));
  const lines = ['flowchart TD'];
  for (const job of plan.jobs) lines.push(`  ${id.get(job.name)}["${job.name}"]`);
  for (const job of plan.jobs) {
    for (const r of job.requires)
      for (const from of r.of ?? [r.job])
        lines.push(`  ${id.get(from)} -->|${label(r)}| ${id.get(job.name)}`);
  }
  return lines.join('\n');
}

function dot(plan: Plan): string {
  const q = (s: string): string => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
  const lines = [`digraph ${q(plan.name)} {`, '  node [shape=box];'];
  for (const job of plan.jobs) lines.push(`  ${q(job.name)};`);
  for (const job of plan.jobs) {
    for (const r of job.requires)
      for (const from of r.of ?? [r.job])
        lines.push(`  ${q(from)} -> ${q(job.name)} [label=${q(label(r))}];`);
  }
  lines.push('}');
  return lines.join('\n');
}
