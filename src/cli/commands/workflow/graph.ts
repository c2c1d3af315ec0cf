/** `rnx workflow graph FILE[:NAME] --format=mermaid|dot`: the job graph, edges labelled with conditions. */
import { validateWorkflowFile } from '../../../validate/load/read-file.js';
import { stringOption } from '../../args.js';
import { cliCatalog } from '../../catalog.js';
import type { Command } from '../../context.js';
import { EXIT } from '../../context.js';
import { printDiagnostics } from '../../format/diagnostics.js';
import type { GraphFormat } from '../../format/graph.js';
import { formatGraph, GRAPH_FORMATS } from '../../format/graph.js';
import { printProblem, writeLine } from '../../print.js';
import { parseWorkflowTarget, soleWorkflowArgument } from '../../workflow-run/target.js';

const USAGE = 'rnx workflow graph [--format=mermaid|dot] FILE[:NAME]';

export const command: Command = {
  path: 'workflow graph',
  usage: USAGE,
  summary: 'Print the job graph as Mermaid or Graphviz dot, edges labelled with conditions',
  details: `Edges go from the required job to the job that waits for it. The file must be valid
(networks, volumes and runtimes need not exist here).

Examples:
  rnx workflow graph workflows/diamond.yaml
  rnx workflow graph --format=dot workflows/diamond.yaml | dot -Tsvg > diamond.svg`,
  stateless: () => true,
  options: {
    format: { type: 'string', valueName: 'FORMAT', description: 'mermaid (default) or dot' },
  },
  async run(ctx, args) {
    const format = stringOption(args.options, 'format') ?? 'mermaid';
    if (!GRAPH_FORMATS.includes(format as GraphFormat)) {
      printProblem(ctx, {
        code: 'usage',
        message: `unknown format '${format}'`,
        hint: `use ${GRAPH_FORMATS.join(' or ')}`,
      });
      return EXIT.usage;
    }
    const text = soleWorkflowArgument(ctx, args.positionals, USAGE);
    if (text === undefined) return EXIT.usage;
    const target = parseWorkflowTarget(text);
    const r = await validateWorkflowFile(target.file, await cliCatalog(ctx, { stores: false }), {
      cwd: ctx.cwd,
      hostEnvironment: ctx.env,
      checkEnvironment: false,
      ...(target.workflow === undefined ? {} : { workflow: target.workflow }),
    });
    if (r.plans.length === 0) {
      await printDiagnostics(ctx, r.diagnostics, r.source);
      return EXIT.usage;
    }
    if (r.plan === undefined) {
      printProblem(ctx, {
        code: 'usage',
        message: `${target.file} holds several workflows: ${r.workflowNames.join(', ')}`,
        hint: `pick one: rnx workflow graph ${target.file}:${r.workflowNames[0] ?? 'NAME'}`,
      });
      return EXIT.usage;
    }
    writeLine(ctx.stdout, formatGraph(r.plan, format as GraphFormat));
    return EXIT.ok;
  },
};
