/**
 * The one entry point: workflow text in, diagnostics and (when there is no error) plans out.
 * Pure: no file system, no process, no clock. Every stage runs, so one call reports everything
 * wrong in the file; only broken YAML stops it early (nothing after it could be trusted).
 */
import { dirname, resolve } from 'node:path';
import { closest, listSome } from '../suggest.js';
import type { Catalog } from './host/catalog.js';
import type { Diagnostic } from './diagnostic.js';
import { clipDiagnostic, isError, sortDiagnostics } from './diagnostic.js';
import { readEnvFiles, type ReadText } from './env/env-files.js';
import { checkEnvironment } from './host/environment.js';
import { expandWorkflows } from './plan/expand.js';
import { buildJobGraph, wavesOf } from './plan/graph.js';
import { loadYaml, locate } from './load/load.js';
import type { LoadedFile } from './load/load.js';
import { LARGE_FILE } from './load/load-large.js';
import type { Plan } from './model.js';
import { buildPlan } from './plan/plan.js';
import type { Rule, RuleContext } from './rule.js';
import { checkCapabilities } from './rules/capabilities.js';
import { checkArtifacts } from './rules/artifacts.js';
import { checkCycles } from './rules/cycles.js';
import { checkEnvConflicts } from './rules/env-conflict.js';
import { checkEnvSize } from './rules/env-size.js';
import { checkEnvUnsafe } from './rules/env-unsafe.js';
import { checkGpu } from './rules/gpu.js';
import { checkIoAlias } from './rules/io-alias.js';
import { checkReady } from './rules/ready.js';
import { checkLimits } from './rules/limits.js';
import { checkOutputReferences } from './rules/outputs.js';
import { checkPassThrough } from './rules/pass-through.js';
import { checkRequires } from './rules/requires.js';
import { checkUploads } from './rules/uploads.js';
import { checkUsers } from './rules/users.js';
import { checkSchema } from './schema/schema.js';
import { selectJobs } from './plan/select-jobs.js';
import type { WorkflowView } from './workflows.js';
import { workflowViews } from './workflows.js';

export interface ValidateOptions {
  /** For files with `workflows:`: the one to check and plan (all of them when absent). */
  readonly workflow?: string;
  /** Absolute directory the file name is relative to (for uploads); default `/`. */
  readonly cwd?: string;
  /** Check that networks, volumes and runtimes exist (default true; off for CI lint). */
  readonly checkEnvironment?: boolean;
  /**
   * Values for variables given without one (`TOKEN:`): rnx's own environment, with `--env-file`
   * files under it. They win over the workflow's `env_file:`. Absent: only env_file.
   */
  readonly hostEnvironment?: Readonly<Record<string, string | undefined>>;
  /** An unset pass-through variable is an error (before a run) or a warning (the default). */
  readonly unsetVariables?: 'error' | 'warning';
  /** Reads `env_file:` files (absolute paths); absent: they are not read. */
  readonly readEnvFile?: ReadText;
  /** Keep only these jobs (matrix job names stand for all instances) and what they require. */
  readonly jobs?: readonly string[];
}

export interface ValidationResult {
  readonly file: string;
  /** Sorted by position. Errors and warnings; the file is valid when no error is among them. */
  readonly diagnostics: readonly Diagnostic[];
  /** The names under `workflows:` (empty for a file with `jobs:`). */
  readonly workflowNames: readonly string[];
  /** One plan per checked workflow, only when there is no error. */
  readonly plans: readonly Plan[];
  /** The plan, when exactly one workflow was checked and there is no error. */
  readonly plan?: Plan;
}

const RULES: readonly Rule[] = [
  checkRequires,
  checkArtifacts,
  checkPassThrough,
  checkGpu,
  checkIoAlias,
  checkLimits,
  checkUploads,
  checkCapabilities,
  checkEnvConflicts,
  checkReady,
  checkEnvSize,
  checkEnvUnsafe,
];

export function validateWorkflow(
  source: string,
  file: string,
  catalog: Catalog,
  options: ValidateOptions = {},
): ValidationResult {
  return validateLoaded(loadYaml(source, file), catalog, options);
}

/** validateWorkflow on a file already loaded (by loadYaml, or in a worker by load-large.ts). */
export function validateLoaded(
  loaded: LoadedFile,
  catalog: Catalog,
  options: ValidateOptions = {},
): ValidationResult {
  const { file } = loaded;
  if (loaded.diagnostics.some(isError)) return result(file, loaded.diagnostics, [], []);
  const diagnostics: Diagnostic[] = [...loaded.diagnostics, ...loaded.duplicateKeys];
  // A large file's document takes about 20 times its size; past here it is needed only to
  // locate diagnostics (locate parses it again then), so a large valid file lets it go.
  if (diagnostics.length === 0 && loaded.source.length > LARGE_FILE) loaded.release();
  add(diagnostics, checkSchema(loaded));
  const all = workflowViews(loaded.data);
  const names = all.flatMap((w) => (w.key === undefined ? [] : [w.key]));
  const selected = select(all, names, options.workflow);
  if (!selected.ok) {
    diagnostics.push({
      ...selected.diagnostic,
      ...locate(loaded, names.length > 0 ? ['workflows'] : [], 'key'),
      related: [],
    });
    return result(file, diagnostics, names, []);
  }
  const cwd = options.cwd ?? '/';
  const folder = resolve(cwd, dirname(file));
  const envFiles = readEnvFiles(loaded, folder, options.readEnvFile);
  add(diagnostics, envFiles.diagnostics);
  const host = options.hostEnvironment ?? {};
  const lookup = (name: string): string | undefined => host[name] ?? envFiles.values[name];
  const expanded = expandWorkflows(loaded, selected.workflows);
  add(diagnostics, expanded.diagnostics);
  const ctx: RuleContext = {
    loaded,
    workflows: expanded.workflows,
    catalog,
    passThrough: {
      lookup,
      unset: options.unsetVariables ?? 'warning',
      ...(envFiles.names.length === 0 ? {} : { sources: `env file ${envFiles.names.join(', ')}` }),
    },
  };
  for (const rule of RULES) add(diagnostics, rule(ctx));
  if (options.checkEnvironment !== false) {
    add(diagnostics, checkEnvironment(ctx));
    add(diagnostics, checkUsers(ctx));
  }
  const graphs = expanded.workflows.map((workflow) => ({
    workflow,
    graph: buildJobGraph(workflow),
  }));
  for (const { workflow, graph } of graphs) {
    add(diagnostics, checkCycles(loaded, workflow, graph));
    add(diagnostics, checkOutputReferences(loaded, workflow, graph));
  }
  if (diagnostics.some(isError)) return result(file, diagnostics, names, []);
  let plans = graphs.map(({ workflow, graph }) =>
    buildPlan({ file, cwd, workflow, graph, waves: wavesOf(graph), lookup }),
  );
  if (options.jobs !== undefined && options.jobs.length > 0) {
    const picked = plans.map((plan) => selectJobs(plan, options.jobs ?? []));
    const problems = picked.flatMap((p) => (p.ok ? [] : [p.problem]));
    if (problems.length > 0) {
      for (const p of problems)
        diagnostics.push({
          ...p,
          ...locate(loaded, names.length > 0 ? ['workflows'] : ['jobs'], 'key'),
          related: [],
        });
      return result(file, diagnostics, names, []);
    }
    plans = picked.flatMap((p) => (p.ok ? [p.plan] : []));
  }
  return result(file, diagnostics, names, plans);
}

/** Appends in a loop: `push(...list)` overflows the stack past about 100,000 items. */
function add(to: Diagnostic[], list: readonly Diagnostic[]): void {
  for (const d of list) to.push(d);
}

function result(
  file: string,
  diagnostics: readonly Diagnostic[],
  workflowNames: readonly string[],
  plans: readonly Plan[],
): ValidationResult {
  const sorted = sortDiagnostics(diagnostics.map(clipDiagnostic));
  const plan = plans.length === 1 ? plans[0] : undefined;
  return {
    file,
    diagnostics: sorted,
    workflowNames,
    plans,
    ...(plan === undefined ? {} : { plan }),
  };
}

type Selection =
  | { ok: true; workflows: WorkflowView[] }
  | { ok: false; diagnostic: Pick<Diagnostic, 'severity' | 'code' | 'message' | 'hint'> };

function select(
  all: WorkflowView[],
  names: readonly string[],
  wanted: string | undefined,
): Selection {
  if (wanted === undefined) return { ok: true, workflows: all };
  if (names.length === 0) {
    return {
      ok: false,
      diagnostic: {
        severity: 'error',
        code: 'no-such-workflow',
        message: `workflow '${wanted}' was asked for, but this file holds a single workflow (no 'workflows:')`,
        hint: `drop ':${wanted}' after the file name`,
      },
    };
  }
  const found = all.filter((w) => w.key === wanted);
  if (found.length > 0) return { ok: true, workflows: found };
  const guess = closest(wanted, names);
  return {
    ok: false,
    diagnostic: {
      severity: 'error',
      code: 'no-such-workflow',
      message: `this file has no workflow '${wanted}'${guess === undefined ? '' : `; did you mean '${guess}'?`}`,
      hint: `workflows in this file: ${listSome(names)}`,
    },
  };
}
