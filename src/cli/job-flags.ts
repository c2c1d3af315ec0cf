/**
 * `rnx job run` flags → a JobSpec, checked before anything starts: every bad value is a Problem
 * naming the flag (exit 2). Pure apart from reading the environment for `-e NAME` / `-s NAME`.
 */
import { availableParallelism } from 'node:os';
import { checkName } from '../names.js';
import { fail, ok, type Result } from '../problem.js';
import { newJobId } from '../isolation/records/job-id.js';
import type { JobSpec } from '../isolation/job-spec.js';
import { checkCapability } from '../isolation/start/capabilities.js';
import { checkUserSpec } from '../isolation/start/job-user.js';
import {
  formatCpuList,
  parseCount,
  parseCpuList,
  parseDuration,
  parseIoLimit,
  parseMemoryLimit,
} from '../units.js';
import { checkJobEnvNames } from '../loader-env.js';
import type { Resources } from '../validate/model.js';
import { listOption, stringOption, type ParsedArgs } from './args.js';
import { serviceFlags } from './service-flags.js';

function envPairs(
  items: readonly string[],
  flag: string,
  env: NodeJS.ProcessEnv,
): Result<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const item of items) {
    const eq = item.indexOf('=');
    const key = eq === -1 ? item : item.slice(0, eq);
    const valid = checkName('env', key);
    if (!valid.ok) {
      // The key only: the value may be a secret.
      return fail('usage', `${flag} ${key}=...: ${valid.problem.message}`, valid.problem.hint);
    }
    const safe = checkJobEnvNames([key]);
    if (!safe.ok) {
      const { code, message, hint } = safe.problem;
      return fail(code, `${flag} ${key}=...: ${message}`, hint);
    }
    const value = eq === -1 ? env[key] : item.slice(eq + 1);
    if (value === undefined) {
      return fail(
        'usage',
        `${flag} ${key}: no value given and ${key} is not set in rnx's environment`,
      );
    }
    out[key] = value;
  }
  return ok(out);
}

function resources(args: ParsedArgs): Result<Resources> {
  const o = args.options;
  const r: { -readonly [K in keyof Resources]: Resources[K] } = {};
  // The units and rules of workflow files (src/units.ts); 0 is no limit, as there.
  const memory = stringOption(o, 'max-memory');
  if (memory !== undefined) {
    const v = parseMemoryLimit(memory, '--max-memory');
    if (!v.ok) return v;
    if (v.value > 0) r.maxMemory = v.value;
  }
  const cpu = stringOption(o, 'max-cpu');
  if (cpu !== undefined) {
    const v = parseCount(cpu.replace(/%$/, ''), '--max-cpu', 0, 100 * availableParallelism());
    if (!v.ok) return v;
    if (v.value > 0) r.maxCpu = v.value;
  }
  const io = stringOption(o, 'max-iobps');
  if (io !== undefined) {
    const v = parseIoLimit(io, '--max-iobps');
    if (!v.ok) return v;
    if (v.value > 0) r.maxIoBps = v.value;
  }
  const cores = stringOption(o, 'cpu-cores');
  if (cores !== undefined) {
    const v = parseCpuList(cores, availableParallelism(), '--cpu-cores');
    if (!v.ok) return v;
    r.cpuCores = formatCpuList(v.value);
  }
  const procs = stringOption(o, 'max-processes');
  if (procs !== undefined) {
    const v = parseCount(procs, '--max-processes', 0);
    if (!v.ok) return v;
    if (v.value > 0) r.maxProcesses = v.value;
  }
  return ok(r);
}

/** `fileEnv`: the variables of `--env-file` files; `-e` / `-s` win over them. */
export function specFromFlags(
  args: ParsedArgs,
  env: NodeJS.ProcessEnv,
  fileEnv: Readonly<Record<string, string>> = {},
): Result<JobSpec> {
  const [command, ...rest] = args.positionals;
  if (command === undefined || command === '') {
    return fail('usage', 'rnx job run needs a command to run', 'e.g. rnx job run -- echo hello');
  }
  const name = stringOption(args.options, 'name');
  if (name !== undefined) {
    const valid = checkName('job', name);
    if (!valid.ok) return fail('usage', `--name: ${valid.problem.message}`, valid.problem.hint);
  }
  const network = stringOption(args.options, 'network') ?? 'bridge';
  const validNetwork = checkName('network', network);
  if (!validNetwork.ok) {
    return fail('usage', `--network: ${validNetwork.problem.message}`, validNetwork.problem.hint);
  }
  const lookup = { ...fileEnv, ...env };
  const plain = envPairs(listOption(args.options, 'env'), '--env', lookup);
  if (!plain.ok) return plain;
  const secret = envPairs(listOption(args.options, 'secret-env'), '--secret-env', lookup);
  if (!secret.ok) return secret;
  const limits = resources(args);
  if (!limits.ok) return limits;
  let timeoutMs: number | undefined;
  const timeout = stringOption(args.options, 'timeout');
  if (timeout !== undefined) {
    const v = parseDuration(timeout, '--timeout');
    if (!v.ok) return v;
    timeoutMs = v.value;
  }
  const volumes = listOption(args.options, 'volume');
  const files = listOption(args.options, 'upload');
  const directories = listOption(args.options, 'upload-dir');
  const runtime = stringOption(args.options, 'runtime');
  const capAdd = listOption(args.options, 'cap-add');
  const capDrop = listOption(args.options, 'cap-drop');
  for (const [flag, names] of [
    ['--cap-add', capAdd],
    ['--cap-drop', capDrop],
  ] as const) {
    for (const name of names) {
      const known = checkCapability(name);
      if (!known.ok) return fail('usage', `${flag}: ${known.problem.message}`, known.problem.hint);
    }
  }
  const service = serviceFlags(args);
  if (!service.ok) return service;
  const user = stringOption(args.options, 'user');
  if (user !== undefined) {
    const valid = checkUserSpec(user);
    if (!valid.ok) return fail('usage', `--user: ${valid.problem.message}`, valid.problem.hint);
  }
  return ok({
    id: newJobId(),
    ...(name === undefined ? {} : { name }),
    command,
    args: rest,
    env: Object.fromEntries(
      Object.entries({ ...fileEnv, ...plain.value }).filter(([k]) => !(k in secret.value)),
    ),
    secretEnv: secret.value,
    network,
    resources: limits.value,
    ...(timeoutMs === undefined ? {} : { timeoutMs }),
    ...(volumes.length > 0 ? { volumes } : {}),
    ...(runtime === undefined ? {} : { runtime }),
    ...(files.length + directories.length > 0 ? { uploads: { files, directories } } : {}),
    ...(capAdd.length + capDrop.length > 0 ? { capabilities: { add: capAdd, drop: capDrop } } : {}),
    ...(user === undefined ? {} : { user }),
    ...service.value,
  });
}
