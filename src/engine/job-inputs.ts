/**
 * What a job gets from the jobs before it, just before it starts. Pure.
 * - `${jobs.NAME.outputs.KEY}` in its command, args and environment become the values NAME wrote
 *   to $RNX_OUTPUT; one that NAME did not write (or NAME did not complete) fails the job before it
 *   starts, with the reason.
 * - The kept artifacts of every job it requires directly are bound read-only at /artifacts/NAME.
 */
import type { Bind } from '../isolation/job-spec.js';
import type { PlannedJob } from '../validate/model.js';
import { substituteOutputs } from '../validate/plan/outputs.js';

export type Outputs = ReadonlyMap<string, Readonly<Record<string, string>>>;

export type Resolved =
  | { readonly ok: true; readonly job: PlannedJob }
  | { readonly ok: false; readonly message: string };

export function resolveOutputs(job: PlannedJob, outputs: Outputs): Resolved {
  let missing: string | undefined;
  const sub = (text: string): string => {
    const r = substituteOutputs(text, (name, key) => outputs.get(name)?.[key]);
    if (r.ok) return r.text;
    const { job: name, key } = r.missing;
    missing ??= outputs.has(name)
      ? `it uses \${jobs.${name}.outputs.${key}}, but job '${name}' wrote no output '${key}' to $RNX_OUTPUT`
      : `it uses \${jobs.${name}.outputs.${key}}, but job '${name}' did not complete`;
    return text;
  };
  const env = (map: Readonly<Record<string, string>>): Record<string, string> =>
    Object.fromEntries(Object.entries(map).map(([k, v]) => [k, sub(v)]));
  const resolved: PlannedJob = {
    ...job,
    command: sub(job.command),
    args: job.args.map(sub),
    environment: env(job.environment),
    secretEnvironment: env(job.secretEnvironment),
  };
  return missing === undefined ? { ok: true, job: resolved } : { ok: false, message: missing };
}

export const ARTIFACTS_IN_JOB = '/artifacts';

/** Read-only binds of the kept artifacts of the jobs `job` requires directly. */
export function artifactBinds(job: PlannedJob, kept: ReadonlyMap<string, string>): Bind[] {
  const binds: Bind[] = [];
  for (const r of job.requires) {
    for (const name of r.of ?? [r.job]) {
      const source = kept.get(name);
      if (source !== undefined)
        binds.push({ source, target: `${ARTIFACTS_IN_JOB}/${name}`, readOnly: true });
    }
  }
  return binds;
}
