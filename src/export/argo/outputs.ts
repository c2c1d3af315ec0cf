/**
 * Job outputs: what a job writes to its `$RNX_OUTPUT` file as `KEY=VALUE` lines, read by later
 * jobs as `${jobs.NAME.outputs.KEY}`. On Argo the file is the producer's output parameter
 * `rnx-output` (read from /run/rnx/output, an emptyDir); each reference in a consumer becomes one
 * of its input parameters, filled by an Argo expression that picks the key's last `KEY=` line out
 * of the producer's file, as rnx does. `KEY<<DELIMITER` blocks (multi-line values) are not read.
 */
import type { IParameter } from '@kubernetes-models/argo-workflows/argoproj.io/v1alpha1/Parameter';
import type { Plan, PlannedJob } from '../../validate/model.js';
import { outputReferences } from '../../validate/plan/outputs.js';
import { taskName } from './names.js';
import type { Report } from './report.js';

export const OUTPUT_DIR = '/run/rnx';
export const OUTPUT_FILE = `${OUTPUT_DIR}/output`;
export const OUTPUT_PARAMETER = 'rnx-output';

const REFERENCE = /\$\{jobs\.([a-z0-9-]+)\.outputs\.([A-Za-z_][A-Za-z0-9_]*)\}/g;

export interface OutputUse {
  readonly job: string;
  readonly key: string;
  /** The consumer's input parameter that carries the value. */
  readonly parameter: string;
}

function texts(job: PlannedJob): string[] {
  return [job.command, ...job.args, ...Object.values(job.environment)];
}

function parameterName(job: string, key: string): string {
  return `output-${job}-${key}`;
}

/** The outputs a job reads, once each, in the order it names them. */
export function outputUses(job: PlannedJob): OutputUse[] {
  const seen = new Map<string, OutputUse>();
  for (const text of texts(job)) {
    for (const ref of outputReferences(text)) {
      const parameter = parameterName(ref.job, ref.key);
      if (!seen.has(parameter)) seen.set(parameter, { ...ref, parameter });
    }
  }
  return [...seen.values()];
}

/** Jobs whose outputs another job reads; each gets the output parameter, and a warning. */
export function outputProducers(plan: Plan, report: Report): ReadonlySet<string> {
  const producers = new Set(plan.jobs.flatMap((j) => outputUses(j).map((u) => u.job)));
  for (const name of producers) {
    report.warning(
      report.job(name),
      'argo-output-lines',
      `the outputs of job '${name}' are read on Argo from the KEY=VALUE lines of its $RNX_OUTPUT file; a KEY<<DELIMITER block (a value over several lines) is not`,
    );
  }
  return producers;
}

/** The text with each `${jobs.NAME.outputs.KEY}` turned into the consumer's input parameter. */
export function withOutputInputs(text: string): string {
  return text.replace(
    REFERENCE,
    (_whole, job: string, key: string) => `{{inputs.parameters.${parameterName(job, key)}}}`,
  );
}

/** The producer's output parameter: its whole $RNX_OUTPUT file ('' when it wrote none). */
export function outputParameter(): IParameter {
  return { name: OUTPUT_PARAMETER, valueFrom: { path: OUTPUT_FILE, default: '' } };
}

/** The DAG task's argument that fills one use: the last `KEY=` line of the producer's file. */
export function outputArgument(use: OutputUse): { name: string; value: string } {
  const file = `tasks['${taskName(use.job)}'].outputs.parameters['${OUTPUT_PARAMETER}']`;
  const prefix = `'${use.key}='`;
  return {
    name: use.parameter,
    value: `{{=trimPrefix(last(filter(split(${file}, '\\n'), {hasPrefix(#, ${prefix})})), ${prefix})}}`,
  };
}
