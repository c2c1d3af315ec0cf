/**
 * `rnx job run --workflow=FILE[:NAME] [--dry-run] [--json]`. Validation and the dry-run live
 * here; `loadPlanForCli` is the reusable step (validate, print problems, return the plan or an
 * exit code); `runPlan` hands the plan to the engine (engine-run.ts).
 */
import { closeSync, writeSync } from 'node:fs';
import type { ParsedArgs } from '../args.js';
import { flagOption, listOption, stringOption } from '../args.js';
import { cliCatalog } from '../catalog.js';
import type { CliContext } from '../context.js';
import { EXIT } from '../context.js';
import { diagnosticsJson, printDiagnostics } from '../format/diagnostics.js';
import { envFileValues } from '../env-file-flag.js';
import { formatPlan, planJson } from '../format/plan.js';
import { printJson, printProblem, writeLine } from '../print.js';
import { parseWorkflowTarget } from './target.js';
import { sharedDatabase, stateDir } from '../../state/database.js';
import { toolUsesOfJob } from '../../host-tools.js';
import { jobRequirements } from '../../isolation/start/host-check.js';
import { exitCodeFor } from '../exit-codes.js';
import type { Reuse } from '../../engine/run.js';
import type { Plan } from '../../validate/model.js';
import type { Diagnostic } from '../../validate/diagnostic.js';
import { isError, summarize } from '../../validate/diagnostic.js';
import { validateWorkflowFile } from '../../validate/load/read-file.js';
import { removalsDone } from '../../isolation/end/removals.js';
import { OutputFlow } from '../../isolation/output/output-flow.js';

export interface LoadPlanOptions {
  /** `FILE` or `FILE:NAME`. */
  readonly target: string;
  /** Print problems as JSON on stdout (and no progress lines). */
  readonly json: boolean;
  /** About to run (an unset pass-through variable is an error), or a dry run (a warning). */
  readonly run: boolean;
  /** `--env-file` values, under rnx's own environment. */
  readonly envFile?: Readonly<Record<string, string>>;
  /** `--job` names: only these and what they require. */
  readonly jobs?: readonly string[];
}

export type LoadedPlan =
  { ok: true; plan: Plan; diagnostics: readonly Diagnostic[] } | { ok: false; exitCode: number };

/** The guide's progress lines, plain ASCII when output is not a terminal or NO_COLOR is set. */
function progress(ctx: CliContext, fancy: string, plain: string): void {
  writeLine(ctx.stdout, ctx.fancy ? fancy : plain);
}

export async function loadPlanForCli(
  ctx: CliContext,
  options: LoadPlanOptions,
): Promise<LoadedPlan> {
  const target = parseWorkflowTarget(options.target);
  if (!options.json)
    progress(
      ctx,
      '🔍 Validating workflow prerequisites...',
      'Validating workflow prerequisites...',
    );
  const catalog = await cliCatalog(ctx);
  const result = await validateWorkflowFile(target.file, catalog, {
    cwd: ctx.cwd,
    hostEnvironment: { ...options.envFile, ...ctx.env },
    unsetVariables: options.run ? 'error' : 'warning',
    ...(options.jobs === undefined ? {} : { jobs: options.jobs }),
    ...(target.workflow === undefined ? {} : { workflow: target.workflow }),
  });
  const failed = result.diagnostics.some(isError);
  if (options.json && failed) {
    printJson(ctx, {
      valid: false,
      file: target.file,
      diagnostics: diagnosticsJson(result.diagnostics),
    });
    return { ok: false, exitCode: EXIT.usage };
  }
  if (!options.json) await printDiagnostics(ctx, result.diagnostics, result.source);
  if (failed) {
    progress(
      ctx,
      `❌ ${target.file} is invalid: ${summarize(result.diagnostics)}`,
      `FAILED: ${target.file} is invalid: ${summarize(result.diagnostics)}`,
    );
    return { ok: false, exitCode: EXIT.usage };
  }
  if (result.plan === undefined) {
    printProblem(ctx, {
      code: 'usage',
      message: `${target.file} holds several workflows: ${result.workflowNames.join(', ')}`,
      hint: `pick one with --workflow=${target.file}:${result.workflowNames[0] ?? 'NAME'}`,
    });
    return { ok: false, exitCode: EXIT.usage };
  }
  if (!options.json)
    progress(ctx, '✅ All required networks exist', 'OK: All required networks exist');
  return { ok: true, plan: result.plan, diagnostics: result.diagnostics };
}

export async function runWorkflowFile(ctx: CliContext, args: ParsedArgs): Promise<number> {
  const json = flagOption(args.options, 'json');
  const target = stringOption(args.options, 'workflow') ?? '';
  if (target === '') {
    printProblem(ctx, { code: 'usage', message: '--workflow needs a file name' });
    return EXIT.usage;
  }
  const envFile = envFileValues(ctx, args);
  if (!envFile.ok) {
    printProblem(ctx, envFile.problem);
    return EXIT.usage;
  }
  // Detached, stdout carries only the run id: validation speaks on stderr.
  const detach = flagOption(args.options, 'detach') && !flagOption(args.options, 'dry-run');
  const loaded = await loadPlanForCli(detach ? { ...ctx, stdout: ctx.stderr } : ctx, {
    target,
    json: json && !detach,
    run: !flagOption(args.options, 'dry-run'),
    envFile: envFile.value,
    jobs: listOption(args.options, 'job'),
  });
  if (!loaded.ok) return loaded.exitCode;
  if (detach) {
    const host = hostCannotRun(ctx, loaded.plan);
    if (host !== undefined) return host;
    const { startDetachedRun } = await import('./detach.js');
    return startDetachedRun(ctx, flagOption(args.options, 'json'));
  }
  if (flagOption(args.options, 'dry-run')) {
    if (json)
      printJson(ctx, {
        valid: true,
        diagnostics: diagnosticsJson(loaded.diagnostics),
        plan: planJson(loaded.plan),
      });
    else writeLine(ctx.stdout, `\n${formatPlan(loaded.plan)}\n\nDry run: nothing was started.`);
    return EXIT.ok;
  }
  return runPlan(ctx, loaded.plan, args);
}

/**
 * A detached run's engine (started by `rnx job run --workflow=F -d`, see detach.ts) gets
 * its run id in RNX_DETACHED_RUN and says "the run is recorded" with one byte on fd 3.
 */
function detachedRun(ctx: CliContext): { runId?: string; onRunStarted?: () => void } {
  const runId = ctx.env['RNX_DETACHED_RUN'];
  if (runId === undefined || !/^wr-[0-9a-f]{8}$/.test(runId)) return {};
  return {
    runId,
    onRunStarted() {
      try {
        writeSync(3, 'r');
        closeSync(3);
      } catch {
        // The rnx that started this run is gone; the run goes on.
      }
    },
  };
}

/**
 * The exit code when this host lacks what the plan's jobs need (root, a tool such as nft for a job
 * on a network), said before anything starts; undefined when it has it all.
 */
function hostCannotRun(ctx: CliContext, plan: Plan): number | undefined {
  const uses = new Set(plan.jobs.flatMap((job) => toolUsesOfJob(job)));
  const host = jobRequirements([...uses]);
  if (host.ok) return undefined;
  printProblem(ctx, host.problem);
  return exitCodeFor(host.problem);
}

/** Runs a validated plan with the engine, the real runner and the real leases. */
export async function runPlan(
  ctx: CliContext,
  plan: Plan,
  args: ParsedArgs,
  rerun?: { readonly runId: string; readonly reuse: Reuse },
): Promise<number> {
  const host = hostCannotRun(ctx, plan);
  if (host !== undefined) return host;
  const { runPlanWithEngine } = await import('./engine-run.js');
  const { realEngineDeps } = await import('./engine-deps.js');
  const dir = stateDir(ctx.env);
  // The process's one connection, already open from the catalog (closed when rnx has nothing
  // left to do: after the removals below).
  const db = sharedDatabase(dir);
  try {
    const concurrency = stringOption(args.options, 'concurrency');
    const detached = detachedRun(ctx);
    // Jobs starting while others run: their processes are spawned from a small process of rnx's.
    const parallel = concurrency === undefined || Number(concurrency) > 1;
    const spawnOffThread = parallel && plan.jobs.length > 2;
    // Jobs' output is not read while standard output is full (back-pressure, output-flow.ts).
    const outputFlow = new OutputFlow();
    const deps = realEngineDeps(db, dir, { spawnOffThread, outputFlow });
    return await runPlanWithEngine(ctx, plan, db, deps, {
      json: flagOption(args.options, 'json'),
      outputFlow,
      ...(concurrency === undefined ? {} : { concurrency }),
      stateDir: dir,
      ...detached,
      ...rerun,
    });
  } finally {
    // The jobs' directories are removed after their ends were reported.
    await removalsDone();
  }
}
