/**
 * Builds the Plan the engine runs from one workflow that passed every rule: resources as numbers,
 * timeouts in milliseconds, environments merged and expanded, uploads as absolute paths.
 */
import { basename, dirname, extname, resolve } from 'node:path';
import { DEFAULT_NETWORK } from '../../networks/builtins.js';
import { mergeEnvironment } from '../env/env.js';
import type { RawEnv } from '../env/env.js';
import type { JobGraph } from './graph.js';
import { DEFAULT_READY_INTERVAL_MS, DEFAULT_READY_TIMEOUT_MS } from '../model.js';
import type {
  Condition,
  Plan,
  PlannedJob,
  Probe,
  Readiness,
  Requirement,
  Resources,
} from '../model.js';
import type { Result } from '../../problem.js';
import { parseDuration, parseIoLimit, parseMemoryLimit } from '../../units.js';
import type { Data, JobView, WorkflowView } from '../workflows.js';
import { isMapData, stringsOf } from '../workflows.js';

export interface PlanInput {
  readonly file: string;
  /** Absolute directory that relative file names are resolved against. */
  readonly cwd: string;
  readonly workflow: WorkflowView;
  readonly graph: JobGraph;
  readonly waves: readonly (readonly string[])[];
  /** Values of variables given without one (`TOKEN:`); unset ones become ''. */
  readonly lookup?: (name: string) => string | undefined;
}

export function buildPlan(input: PlanInput): Plan {
  const { workflow } = input;
  const folder = resolve(input.cwd, dirname(input.file));
  const title = workflow.data['name'];
  const description = workflow.data['description'];
  const fill = passThrough(input.lookup);
  const plain = envLayers(workflow, 'environment').map(fill);
  const secret = envLayers(workflow, 'secret_environment').map(fill);
  const jobs = workflow.jobs.map((job) =>
    plannedJob(job, input.graph, folder, plain, secret, fill),
  );
  return {
    file: input.file,
    path: resolve(input.cwd, input.file),
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

/** Variables without a value (`TOKEN:`) take theirs from `lookup`. */
function passThrough(lookup: PlanInput['lookup']): (env: RawEnv) => RawEnv {
  return (env) => {
    if (!Object.values(env).includes(null)) return env;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(env)) out[k] = v === null ? (lookup?.(k) ?? '') : v;
    return out;
  };
}

/** A job's requires: the entries naming a matrix job become one requirement on all instances. */
function plannedRequirements(graph: JobGraph, name: string): Requirement[] {
  const out: Requirement[] = [];
  const groups = new Map<number, string[]>();
  for (const e of graph.requires.get(name) ?? []) {
    const condition = e.condition as Condition;
    if (e.group === undefined) {
      out.push({ job: e.requires, condition });
      continue;
    }
    const instances = groups.get(e.index);
    if (instances !== undefined) instances.push(e.requires);
    else {
      const of = [e.requires];
      groups.set(e.index, of);
      out.push({ job: e.group, condition, of });
    }
  }
  return out;
}

function plannedJob(
  job: JobView,
  graph: JobGraph,
  folder: string,
  plain: readonly RawEnv[],
  secret: readonly RawEnv[],
  fill: (env: RawEnv) => RawEnv,
): PlannedJob {
  const d = job.data;
  const own = (key: string): RawEnv[] => (isMapData(d[key]) ? [fill(d[key])] : []);
  const env = mergeEnvironment(
    [...plain, ...own('environment')],
    [...secret, ...own('secret_environment')],
  );
  const timeoutMs = valueOf(d['timeout'], parseDuration);
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
    requires: plannedRequirements(graph, job.name),
    environment: env.environment,
    secretEnvironment: env.secretEnvironment,
    resources: resources(d['resources']),
    ...(timeoutMs === undefined ? {} : { timeoutMs }),
    retries: typeof d['retries'] === 'number' ? d['retries'] : 0,
    ...(Array.isArray(d['artifacts'])
      ? { artifacts: stringsOf(d['artifacts']).map((a) => a.value) }
      : {}),
    ...(job.matrix === undefined ? {} : { matrix: job.matrix }),
    ...stopAndUser(d),
    ...(isMapData(d['ready']) ? { ready: readiness(d['ready']) } : {}),
  };
}

function stopAndUser(d: Data): Pick<PlannedJob, 'user' | 'stopSignal' | 'stopGraceMs'> {
  const user = d['user'];
  const signal = d['stop_signal'];
  const grace = valueOf(d['stop_grace'], parseDuration);
  return {
    ...(typeof user === 'string' || typeof user === 'number' ? { user: String(user) } : {}),
    ...(typeof signal === 'string' ? { stopSignal: signal as NodeJS.Signals } : {}),
    ...(grace === undefined ? {} : { stopGraceMs: grace }),
  };
}

/** The `ready` map (checked by the schema: exactly one probe). */
function readiness(r: Data): Readiness {
  const exec = r['exec'];
  const probe: Probe = Array.isArray(exec)
    ? { kind: 'exec', command: exec.map((a) => String(a as string)) }
    : typeof r['tcp'] === 'number'
      ? { kind: 'tcp', port: r['tcp'] }
      : typeof r['http'] === 'string'
        ? { kind: 'http', target: r['http'] }
        : { kind: 'log', pattern: String(r['log']) };
  return {
    probe,
    intervalMs: valueOf(r['interval'], parseDuration) ?? DEFAULT_READY_INTERVAL_MS,
    timeoutMs: valueOf(r['timeout'], parseDuration) ?? DEFAULT_READY_TIMEOUT_MS,
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
  const memory = valueOf(value['max_memory'], parseMemoryLimit);
  const io = valueOf(value['max_iobps'] ?? value['max_io_bps'], parseIoLimit);
  const cores = value['cpu_cores'];
  const processes = value['max_processes'];
  return {
    ...(typeof cpu === 'number' && cpu > 0 ? { maxCpu: cpu } : {}),
    ...(memory !== undefined && memory > 0 ? { maxMemory: memory } : {}),
    ...(io !== undefined && io > 0 ? { maxIoBps: io } : {}),
    ...(typeof cores === 'string' || typeof cores === 'number' ? { cpuCores: String(cores) } : {}),
    ...(typeof processes === 'number' && processes > 0 ? { maxProcesses: processes } : {}),
  };
}

/** A value the rules already accepted, read with the units module; undefined when absent. */
function valueOf(
  value: unknown,
  parse: (v: string | number) => Result<number>,
): number | undefined {
  if (typeof value !== 'string' && typeof value !== 'number') return undefined;
  const parsed = parse(value);
  return parsed.ok ? parsed.value : undefined;
}
