/**
 * `rnx workflow export FILE[:NAME] --target=argo`: the workflow as Argo Workflows manifests (one
 * multi-document YAML: the objects it needs, then the Workflow). The mapping lives in
 * src/export/argo/; this parses flags, prints diagnostics and the YAML, and sets the exit code.
 */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { exportArgoFile } from '../../../export/argo/export-file.js';
import { listOption, stringOption } from '../../args.js';
import { cliCatalog, cliNetworks } from '../../catalog.js';
import type { CliContext, Command } from '../../context.js';
import { EXIT } from '../../context.js';
import { exitCodeFor } from '../../exit-codes.js';
import type { Problem } from '../../../problem.js';
import { printDiagnostics } from '../../format/diagnostics.js';
import { printProblem, writeLine } from '../../print.js';
import { parseWorkflowTarget, soleWorkflowArgument } from '../../workflow-run/target.js';

const USAGE =
  'rnx workflow export FILE[:NAME] --target=argo [--image=IMAGE] [--runtime-image RUNTIME=IMAGE ...] [--namespace=NS] [--out=FILE]';

const TARGETS = ['argo'];

export const command: Command = {
  path: 'workflow export',
  usage: USAGE,
  summary: 'Export a workflow as Argo Workflows manifests for Kubernetes',
  details: `Validates FILE as 'rnx workflow validate --skip-environment' does, then prints one
multi-document YAML: a ConfigMap per job with uploads, a PersistentVolumeClaim per volume, a
NetworkPolicy per network, and the argoproj.io/v1alpha1 Workflow (last). What cannot be carried
over as it is is a warning saying what changes, or an error (exit 2, nothing printed).
Secret values are never written: the Secret is made with the kubectl line printed on stderr.

Examples:
  rnx workflow export workflows/diamond.yaml --target=argo --image=debian:12 > diamond.argo.yaml
  kubectl apply -l app.kubernetes.io/managed-by=rnx -f diamond.argo.yaml
  argo submit --watch diamond.argo.yaml`,
  options: {
    target: { type: 'string', valueName: 'TARGET', description: 'what to export to: argo' },
    image: {
      type: 'string',
      valueName: 'IMAGE',
      description: 'container image for jobs without a --runtime-image',
    },
    'runtime-image': {
      type: 'string',
      multiple: true,
      valueName: 'RUNTIME=IMAGE',
      description: 'container image for the jobs of one runtime (repeatable)',
    },
    namespace: { type: 'string', valueName: 'NS', description: 'namespace of every object' },
    out: { type: 'string', valueName: 'FILE', description: 'write the YAML to FILE, not stdout' },
  },
  async run(ctx, args) {
    const target = stringOption(args.options, 'target');
    if (target === undefined || !TARGETS.includes(target)) {
      printProblem(ctx, {
        code: 'usage',
        message:
          target === undefined ? 'name a target: --target=argo' : `unknown target '${target}'`,
        hint: `targets: ${TARGETS.join(', ')}`,
      });
      return EXIT.usage;
    }
    const text = soleWorkflowArgument(ctx, args.positionals, USAGE);
    if (text === undefined) return EXIT.usage;
    const runtimeImages = new Map<string, string>();
    for (const pair of listOption(args.options, 'runtime-image')) {
      const eq = pair.indexOf('=');
      if (eq <= 0 || eq === pair.length - 1) {
        printProblem(ctx, {
          code: 'usage',
          message: `--runtime-image '${pair}' is not RUNTIME=IMAGE`,
          hint: 'for example --runtime-image python-3.11-ml=python:3.11-slim',
        });
        return EXIT.usage;
      }
      runtimeImages.set(pair.slice(0, eq), pair.slice(eq + 1));
    }
    const image = stringOption(args.options, 'image');
    const namespace = stringOption(args.options, 'namespace');
    if (namespace !== undefined && !/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(namespace)) {
      printProblem(ctx, {
        code: 'usage',
        message: `--namespace '${namespace}' is not a Kubernetes namespace name`,
        hint: 'at most 63 lowercase letters, digits and -, starting and ending with a letter or digit',
      });
      return EXIT.usage;
    }
    if (image === '') {
      printProblem(ctx, {
        code: 'usage',
        message: '--image needs an image, e.g. --image=debian:12',
      });
      return EXIT.usage;
    }
    const workflow = parseWorkflowTarget(text);
    const outcome = await exportArgoFile({
      file: workflow.file,
      ...(workflow.workflow === undefined ? {} : { workflow: workflow.workflow }),
      cwd: ctx.cwd,
      catalog: await cliCatalog(ctx, { stores: false }),
      networks: cliNetworks(ctx),
      hostEnvironment: ctx.env,
      options: {
        runtimeImages,
        ...(image === undefined ? {} : { image }),
        ...(namespace === undefined ? {} : { namespace }),
      },
    });
    if (outcome.kind === 'several') {
      printProblem(ctx, {
        code: 'usage',
        message: `${workflow.file} holds several workflows: ${outcome.names.join(', ')}`,
        hint: `pick one: rnx workflow export ${workflow.file}:${outcome.names[0] ?? 'NAME'} --target=argo`,
      });
      return EXIT.usage;
    }
    await printDiagnostics(ctx, outcome.diagnostics, outcome.source);
    if (outcome.kind === 'invalid') {
      writeLine(ctx.stderr, `${text}: not exported`);
      return EXIT.usage;
    }
    const out = stringOption(args.options, 'out');
    if (out === undefined) ctx.stdout.write(outcome.yaml);
    else {
      const problem = writeOut(ctx, out, outcome.yaml);
      if (problem !== undefined) {
        printProblem(ctx, problem);
        return exitCodeFor(problem);
      }
    }
    if (outcome.secret !== undefined) {
      writeLine(ctx.stderr, `Create the Secret ${outcome.secret.name} before submitting:`);
      writeLine(ctx.stderr, `  ${outcome.secret.command}`);
    }
    if (outcome.parameters.length > 0) {
      const flags = outcome.parameters.map((p) => `-p ${p}=VALUE`).join(' ');
      writeLine(ctx.stderr, `Give these values when submitting: argo submit ${flags} FILE`);
    }
    return EXIT.ok;
  },
};

function writeOut(ctx: CliContext, out: string, yaml: string): Problem | undefined {
  try {
    writeFileSync(resolve(ctx.cwd, out), yaml);
    return undefined;
  } catch (e) {
    return { code: 'output-unwritable', message: `cannot write ${out}: ${(e as Error).message}` };
  }
}
