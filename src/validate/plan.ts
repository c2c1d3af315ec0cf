/**
 * Builds the Plan the engine runs from one workflow that passed every rule: resources as numbers,
 * timeouts in milliseconds, environments merged and expanded, uploads as absolute paths.
 */
import { basename, dirname, extname, resolve } from 'node:path';
import { DEFAULT_NETWORK } from './catalog.js';
import { mergeEnvironment } from './env.js';
import type { RawEnv } from './env.js';
import type { JobGraph } from './graph.js';
import type { Condition, Plan, PlannedJob, Resources } from './model.js';
import { MEGABYTE, parseCpuCores, parseDuration, parseSize } from './units.js';
import type { Data, JobView, WorkflowView } from './workflows.js';
import { isMapData, stringsOf } from './workflows.js';

export interface PlanInput {
  readonly file: string;
  /** Absolute directory that relative file names are resolved against. */
  readonly cwd: string;
  readonly workflow: WorkflowView;
  readonly graph: JobGraph;
  readonly waves: readonly (readonly string[])[];
}

export function buildPlan(input: PlanInput): Plan {
  const { workflow } = input;
  const folder = resolve(input.cwd, dirname(input.file));
  const title = workflow.data['name'];
  const description = workflow.data['description'];
  const plain = envLayers(workflow, 'environment');
  const secret = envLayers(workflow, 'secret_environment');
  const jobs = workflow.jobs.map((job) => plannedJob(job, input.graph, folder, plain, secret));
  return {
    file: input.file,
    name:
      typeof title === 'string'
        ? title
        : (workflow.key ?? basename(input.file, extname(input.file))),
    ...(workflow.key === undefined ? {} : { workflow: workflow.key }),
    ...(typeof description === 'string' ? { description } : {}),
    jobs,
    waves: input.waves,
  };
}

function envLayers(workflow: WorkflowView, key: string): RawEnv[] {
  const layers = [workflow.file[key]];
  if (workflow.key !== undefined) layers.push(workflow.data[key]);
  return layers.filter(isMapData);
}

function plannedJob(
  job: JobView,
  graph: JobGraph,
  folder: string,
  plain: readonly RawEnv[],
  secret: readonly RawEnv[],
): PlannedJob {
  const d = job.data;
  const own = (key: string): RawEnv[] => (isMapData(d[key]) ? [d[key]] : []);
  const env = mergeEnvironment(
    [...plain, ...own('environment')],
    [...secret, ...own('secret_environment')],
  );
  const timeoutMs = parseDuration(d['timeout']);
  const runtime = d['runtime'];
  const caps = d['capabilities'];
  return {
    name: job.name,
    command: String(d['command']),
    args: Array.isArray(d['args']) ? d['args'].map((a) => String(a as string)) : [],
    network: typeof d['network'] === 'string' ? d['network'] : DEFAULT_NETWORK,
    ...(typeof runtime === 'string' ? { runtime } : {}),
    volumes: stringsOf(d['volumes']).map((v) => v.value),
    uploads: uploads(d['uploads'], folder),
    ...(isMapData(caps)
      ? {
          capabilities: {
            add: stringsOf(caps['add']).map((c) => c.value),
            drop: stringsOf(caps['drop']).map((c) => c.value),
          },
        }
      : {}),
    requires: (graph.requires.get(job.name) ?? []).map((e) => ({
      job: e.requires,
      condition: e.condition as Condition,
    })),
    environment: env.environment,
    secretEnvironment: env.secretEnvironment,
    resources: resources(d['resources']),
    ...(timeoutMs === undefined ? {} : { timeoutMs }),
    retries: typeof d['retries'] === 'number' ? d['retries'] : 0,
  };
}

function uploads(value: unknown, folder: string): PlannedJob['uploads'] {
  const u: Data = isMapData(value) ? value : {};
  return {
    files: stringsOf(u['files']).map((f) => resolve(folder, f.value)),
    directories: stringsOf(u['directories']).map((f) => resolve(folder, f.value)),
  };
}

function resources(value: unknown): Resources {
  if (!isMapData(value)) return {};
  const cpu = value['max_cpu'];
  const memory = parseSize(value['max_memory'], MEGABYTE);
  const io = parseSize(value['max_iobps'] ?? value['max_io_bps'], 1);
  const cores = parseCpuCores(value['cpu_cores']);
  const processes = value['max_processes'];
  return {
    ...(typeof cpu === 'number' && cpu > 0 ? { maxCpu: cpu } : {}),
    ...(memory !== undefined && memory > 0 ? { maxMemory: memory } : {}),
    ...(io !== undefined && io > 0 ? { maxIoBps: io } : {}),
    ...(cores === undefined ? {} : { cpuCores: cores }),
    ...(typeof processes === 'number' ? { maxProcesses: processes } : {}),
  };
}
