/**
 * One job as one Argo container template: image, command, args and environment exactly as rnx
 * would pass them, /work as the working directory and HOME, $RNX_OUTPUT, limits, deadline,
 * retries, volumes, uploads, artifacts, the outputs of other jobs it reads, the names of the
 * services it uses, and how it is ready and stops (service.ts). Pods carry the labels the network
 * policies select on, and the job's name as their host name, as rnx jobs do.
 */
import type { ITemplate } from '@kubernetes-models/argo-workflows/argoproj.io/v1alpha1/Template';
import type { IEnvVar } from 'kubernetes-models/v1/EnvVar';
import type { IVolume } from 'kubernetes-models/v1/Volume';
import type { IVolumeMount } from 'kubernetes-models/v1/VolumeMount';
import type { PlannedJob } from '../../validate/model.js';
import { escapeKubernetes, hasArgoExpression } from './escape.js';
import type { ServiceAlias } from './host-aliases.js';
import { hostAliasesOf } from './host-aliases.js';
import { outputArtifacts } from './artifacts.js';
import { deadlineSeconds, retryStrategyOf } from './lifecycle.js';
import { LABELS, labelValue, templateName } from './names.js';
import type { OutputUse } from './outputs.js';
import { OUTPUT_DIR, OUTPUT_FILE, outputParameter, withOutputInputs } from './outputs.js';
import type { Report } from './report.js';
import { limitsOf } from './resources.js';
import { serviceSpec } from './service.js';
import type { SecretKey, SecretPlan } from './secrets.js';
import type { JobUploads } from './uploads.js';
import { claimName } from './volumes.js';

export interface TemplateInput {
  readonly job: PlannedJob;
  readonly workflow: string;
  readonly image: string;
  readonly daemon: boolean;
  readonly aliases: readonly ServiceAlias[];
  readonly uploads: JobUploads | undefined;
  readonly secret: SecretPlan | undefined;
  /** True when another job reads this one's outputs. */
  readonly producer: boolean;
  /** The outputs of other jobs this one reads. */
  readonly outputs: readonly OutputUse[];
  /** Plain variables whose value is given when the Workflow is submitted. */
  readonly passThrough: readonly string[];
}

export const WORK_VOLUME = 'work';
const RUN_VOLUME = 'rnx-run';

/** Command, args and env values as Kubernetes passes them on, outputs read from parameters. */
function text(value: string): string {
  return withOutputInputs(escapeKubernetes(value));
}

export function containerTemplate(input: TemplateInput, report: Report): ITemplate {
  const { job } = input;
  checkExpressions(job, report);
  const limits = limitsOf(job, report);
  const deadline = deadlineSeconds(job, report);
  const retryStrategy = retryStrategyOf(job);
  const volumes: IVolume[] = [
    { name: WORK_VOLUME, emptyDir: {} },
    { name: RUN_VOLUME, emptyDir: {} },
  ];
  const mounts: IVolumeMount[] = [
    { name: WORK_VOLUME, mountPath: '/work' },
    { name: RUN_VOLUME, mountPath: OUTPUT_DIR },
  ];
  const parameters = [
    ...input.aliases.map((a) => ({ name: a.parameter })),
    ...input.outputs.map((o) => ({ name: o.parameter })),
  ];
  const artifacts = outputArtifacts(job, report);
  const service = serviceSpec(job, report);
  if (input.uploads !== undefined) {
    volumes.push(input.uploads.volume);
    mounts.push(...input.uploads.mounts);
  }
  job.volumes.forEach((volume, index) => {
    const name = `volume-${index}`;
    volumes.push({ name, persistentVolumeClaim: { claimName: claimName(volume) } });
    mounts.push({ name, mountPath: `/volumes/${volume}` });
  });
  return {
    name: templateName(job.name),
    metadata: {
      labels: {
        [LABELS.workflow]: labelValue(input.workflow),
        [LABELS.job]: job.name,
        [LABELS.network]: job.network,
      },
    },
    ...(input.daemon ? { daemon: true } : {}),
    ...(parameters.length === 0 ? {} : { inputs: { parameters } }),
    ...(input.producer || artifacts.length > 0
      ? {
          outputs: {
            ...(input.producer ? { parameters: [outputParameter()] } : {}),
            ...(artifacts.length === 0 ? {} : { artifacts }),
          },
        }
      : {}),
    ...(input.aliases.length === 0 ? {} : { hostAliases: hostAliasesOf(input.aliases) }),
    ...(deadline === undefined ? {} : { activeDeadlineSeconds: deadline }),
    ...(retryStrategy === undefined ? {} : { retryStrategy }),
    podSpecPatch: JSON.stringify({ hostname: job.name, ...service.pod }),
    volumes,
    container: {
      name: 'main',
      image: input.image,
      command: [text(job.command)],
      ...(job.args.length === 0 ? {} : { args: job.args.map(text) }),
      workingDir: '/work',
      env: environment(job, input.secret, input.passThrough),
      ...(limits.cpu === undefined && limits.memory === undefined
        ? {}
        : { resources: { limits: { ...limits } } }),
      volumeMounts: mounts,
      ...service.container,
    },
  };
}

/** rnx's own variables, then the job's, then its secrets (a secret wins over a plain value). */
function environment(
  job: PlannedJob,
  secret: SecretPlan | undefined,
  passThrough: readonly string[],
): IEnvVar[] {
  const secrets: ReadonlyMap<string, SecretKey> = secret?.keys.get(job.name) ?? new Map();
  const env: IEnvVar[] = [
    { name: 'RNX_JOB_ID', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
    { name: 'RNX_JOB_NAME', value: job.name },
    { name: 'HOME', value: '/work' },
    { name: 'RNX_OUTPUT', value: OUTPUT_FILE },
  ];
  for (const [name, value] of Object.entries(job.environment)) {
    if (secrets.has(name)) continue;
    env.push({
      name,
      value: passThrough.includes(name) ? `{{workflow.parameters.${name}}}` : text(value),
    });
  }
  for (const [name, key] of secrets) {
    env.push({
      name,
      valueFrom: { secretKeyRef: { name: secret?.name ?? '', key: key.key } },
    });
  }
  return env;
}

/** Argo reads `{{...}}` in any template field as its own expression, with no way to escape it. */
function checkExpressions(job: PlannedJob, report: Report): void {
  const places: [string, (string | number)[]][] = [
    [job.command, ['command']],
    ...job.args.map((a, i): [string, (string | number)[]] => [a, ['args', i]]),
    ...Object.entries(job.environment).map(([k, v]): [string, (string | number)[]] => [
      v,
      ['environment', k],
    ]),
  ];
  for (const [text, path] of places) {
    if (!hasArgoExpression(text)) continue;
    const at = report.job(job.name, ...path);
    report.warning(
      report.has(at) ? at : report.job(job.name),
      'argo-template-expression',
      `'{{' in ${fieldText(path)} of job '${job.name}' is read by Argo as a template expression: Argo replaces what it knows ({{workflow.name}}, ...) and fails on expressions it cannot evaluate`,
      'write the braces another way (for example from a variable: B="{"; echo "$B$B")',
    );
  }
}

/** `args[0]`, `environment.NAME`, `command`. */
function fieldText(path: readonly (string | number)[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}
