/**
 * `secret_environment` as `secretKeyRef`s to one Secret per workflow, which the export never
 * writes: values stay out of the manifests. The export prints the `kubectl create secret` line
 * that makes the Secret from shell variables. A variable whose value is the same in every job is
 * one key; one whose value differs between jobs gets a key per job (`JOB.NAME`).
 */
import type { Plan } from '../../validate/model.js';
import type { DataPath } from '../../validate/load/load.js';
import { dnsLabel } from './names.js';
import type { Report } from './report.js';

export interface SecretKey {
  readonly key: string;
  /** The shell variable the printed command reads the value from. */
  readonly shellVariable: string;
}

export interface SecretPlan {
  readonly name: string;
  /** job -> variable -> its key in the Secret. */
  readonly keys: ReadonlyMap<string, ReadonlyMap<string, SecretKey>>;
  /** `kubectl create secret generic NAME --from-literal=KEY="$VAR" ...` */
  readonly command: string;
}

export function secretName(workflow: string): string {
  return dnsLabel(`${workflow}-secrets`, 253);
}

export function secretPlan(
  plan: Plan,
  workflow: string,
  namespace: string | undefined,
  report: Report,
): SecretPlan | undefined {
  const values = new Map<string, Set<string>>();
  for (const job of plan.jobs) {
    for (const [name, value] of Object.entries(job.secretEnvironment)) {
      const set = values.get(name) ?? new Set<string>();
      set.add(value);
      values.set(name, set);
    }
  }
  if (values.size === 0) return undefined;
  const keys = new Map<string, Map<string, SecretKey>>();
  const literals = new Map<string, string>();
  for (const job of plan.jobs) {
    const own = new Map<string, SecretKey>();
    for (const name of Object.keys(job.secretEnvironment)) {
      const shared = (values.get(name)?.size ?? 0) <= 1;
      const key: SecretKey = shared
        ? { key: name, shellVariable: name }
        : {
            key: `${job.name}.${name}`,
            shellVariable: shellName(`${job.name}_${name}`),
          };
      own.set(name, key);
      literals.set(key.key, key.shellVariable);
    }
    keys.set(job.name, own);
  }
  const name = secretName(workflow);
  const command = [
    'kubectl create secret generic',
    name,
    ...(namespace === undefined ? [] : [`--namespace=${namespace}`]),
    ...[...literals].map(([key, variable]) => `--from-literal=${key}="$${variable}"`),
  ].join(' ');
  const place = firstSecretPlace(
    plan,
    [...values.values()].flatMap((v) => [...v]),
    report,
  );
  report.warning(
    place,
    'argo-secrets-unmasked',
    `secret values go into the Secret ${name}, which the export does not create; Argo does not mask them in job logs as rnx does (***)`,
    `create it before submitting: ${command}`,
  );
  return { name, keys, command };
}

/**
 * Where the warning about secrets points: the first `secret_environment`, or failing that a job,
 * whose line (shown in the excerpt) holds no secret value, as an inline map would.
 */
function firstSecretPlace(plan: Plan, secrets: readonly string[], report: Report): DataPath {
  const candidates: DataPath[] = [
    report.workflow('secret_environment'),
    ['secret_environment'],
    ...plan.jobs.map((j) => report.job(j.name, 'secret_environment')),
    ...plan.jobs.map((j) => report.job(j.name)),
    report.workflow('jobs'),
  ];
  const clean = (p: DataPath): boolean =>
    !secrets.some((s) => s !== '' && report.lineText(p).includes(s));
  return candidates.find((p) => report.has(p) && clean(p)) ?? [];
}

/** A shell variable name for a job's own value: `api-2` + `TOKEN` -> `API_2_TOKEN` (`JOB_` first
 * when the job's name starts with a digit). */
function shellName(text: string): string {
  const upper = text.toUpperCase().replace(/-/g, '_');
  return /^[0-9]/.test(upper) ? `JOB_${upper}` : upper;
}
