/** `rnx workflow validate FILE...`: lint workflow files (for CI); prints problems and plans. */
import { isError, summarize } from '../../../validate/diagnostic.js';
import type { FileValidation } from '../../../validate/load/read-file.js';
import { validateWorkflowFile } from '../../../validate/load/read-file.js';
import { flagOption } from '../../args.js';
import { cliCatalog } from '../../catalog.js';
import type { Command } from '../../context.js';
import { EXIT } from '../../context.js';
import { diagnosticsJson, printDiagnostics } from '../../format/diagnostics.js';
import { formatPlan, planJson } from '../../format/plan.js';
import { printJson, printProblem, writeLine } from '../../print.js';
import { parseWorkflowTarget } from '../../workflow-run/target.js';

const USAGE = 'rnx workflow validate [--json] [--quiet] [--skip-environment] FILE[:NAME]...';

export const command: Command = {
  path: 'workflow validate',
  usage: USAGE,
  summary: 'Check workflow files: schema, requires graph, networks, volumes and runtimes',
  details: `Every problem of every file is reported, each at file:line:col with an excerpt. A file
with several named workflows ('workflows:') has all of them checked; FILE:NAME checks one.
Exit 0 when every file is valid (warnings allowed), 2 otherwise.

Examples:
  rnx workflow validate workflows/*.yaml
  rnx workflow validate --quiet --skip-environment ci/*.yaml
  rnx workflow validate --json workflows/diamond.yaml | jq '.files[0].valid'`,
  // Validation changes no state, and reads the stores only for names a file uses that are not
  // built in (cliCatalog): what killed runs left is cleaned up by the next command that has to.
  stateless: () => true,
  options: {
    json: {
      type: 'boolean',
      description: 'print one JSON object: per file, diagnostics and plans',
    },
    quiet: { type: 'boolean', description: 'print problems only, not the plans' },
    'skip-environment': {
      type: 'boolean',
      description: "don't check that networks, volumes and runtimes exist here (lint elsewhere)",
    },
  },
  async run(ctx, args) {
    if (args.positionals.length === 0) {
      printProblem(ctx, {
        code: 'usage',
        message: 'name at least one workflow file',
        hint: `usage: ${USAGE}`,
      });
      return EXIT.usage;
    }
    const json = flagOption(args.options, 'json');
    const catalog = await cliCatalog(ctx, {
      stores: !flagOption(args.options, 'skip-environment'),
    });
    const files = [];
    for (const text of args.positionals) {
      const target = parseWorkflowTarget(text);
      const r = await validateWorkflowFile(target.file, catalog, {
        cwd: ctx.cwd,
        hostEnvironment: ctx.env,
        checkEnvironment: !flagOption(args.options, 'skip-environment'),
        ...(target.workflow === undefined ? {} : { workflow: target.workflow }),
      });
      const valid = !r.diagnostics.some(isError);
      files.push({
        file: text,
        valid,
        workflows: r.workflowNames,
        diagnostics: diagnosticsJson(r.diagnostics),
        plans: r.plans.map(planJson),
      });
      if (json) continue;
      await printDiagnostics(ctx, r.diagnostics, r.source);
      writeLine(ctx.stdout, verdict(text, r, valid, target.workflow === undefined));
      if (valid && !flagOption(args.options, 'quiet')) {
        for (const plan of r.plans) writeLine(ctx.stdout, `\n${formatPlan(plan)}\n`);
      }
    }
    const allValid = files.every((f) => f.valid);
    if (json) printJson(ctx, { valid: allValid, files });
    return allValid ? EXIT.ok : EXIT.usage;
  },
};

/** `FILE: valid (2 workflows, 4 jobs)` or `FILE: invalid (3 errors)`. */
function verdict(text: string, r: FileValidation, valid: boolean, allWorkflows: boolean): string {
  if (!valid) return `${text}: invalid (${summarize(r.diagnostics)})`;
  const jobs = r.plans.reduce((n, p) => n + p.jobs.length, 0);
  const what =
    r.workflowNames.length > 0 && allWorkflows
      ? `${r.plans.length} workflows, ${jobs} jobs`
      : `${jobs} jobs`;
  const warnings = r.diagnostics.length > 0 ? `, ${summarize(r.diagnostics)}` : '';
  return `${text}: valid (${what}${warnings})`;
}
