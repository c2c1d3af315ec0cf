/**
 * The mapping from an rnx Plan to Argo: one `Workflow` whose entrypoint is a DAG with one task
 * per job, plus every object it needs (uploads' ConfigMaps, volumes' claims, networks' policies).
 * Pure: files were read before (their contents come in `uploads`) and nothing is written.
 *
 * The DAG runs every branch (`failFast: false`: rnx lets independent jobs go on after a failure)
 * and names every task as a target, so the Workflow fails when any job fails after its retries,
 * even one whose FAILED cleanup branch ran, as an rnx workflow does.
 */
import type { ITemplate } from '@kubernetes-models/argo-workflows/argoproj.io/v1alpha1/Template';
import type { IDAGTask } from '@kubernetes-models/argo-workflows/argoproj.io/v1alpha1/DAGTask';
import type { IWorkflow } from '@kubernetes-models/argo-workflows/argoproj.io/v1alpha1/Workflow';
import type { IConfigMap } from 'kubernetes-models/v1/ConfigMap';
import type { Network } from '../../networks/types.js';
import type { Diagnostic } from '../../validate/diagnostic.js';
import { sortDiagnostics } from '../../validate/diagnostic.js';
import type { LoadedFile } from '../../validate/load/load.js';
import type { Plan } from '../../validate/model.js';
import { containerTemplate } from './container.js';
import { imageOf } from './image.js';
import {
  checkDaemonResults,
  daemonAncestors,
  daemonClients,
  daemonJobs,
  dependsOf,
  overlapCheck,
} from './depends.js';
import type { KubernetesObject } from './documents.js';
import { aliasArgument, serviceAliases } from './host-aliases.js';
import { warnDaemon } from './lifecycle.js';
import { DAG_TEMPLATE, generateName, LABELS, labelValue, taskName, templateName } from './names.js';
import { networkKinds, networkPolicy } from './network-policy.js';
import type { UploadTree } from './read-uploads.js';
import { outputArgument, outputProducers, outputUses } from './outputs.js';
import { passThroughParameters } from './pass-through.js';
import type { Report } from './report.js';
import { newReport } from './report.js';
import type { SecretPlan } from './secrets.js';
import { secretPlan } from './secrets.js';
import { jobUploads } from './uploads.js';
import { volumeClaims } from './volumes.js';

export interface ArgoOptions {
  /** The image of jobs without a runtime, or whose runtime has no image of its own. */
  readonly image?: string;
  /** Runtime name -> image (`--runtime-image RUNTIME=IMAGE`). */
  readonly runtimeImages: ReadonlyMap<string, string>;
  readonly namespace?: string;
}

export interface ArgoInput {
  readonly plan: Plan;
  /** The file as loaded, for the locations of diagnostics. */
  readonly loaded: LoadedFile;
  /** The networks this host knows (custom ones tell whether they are `--internal`). */
  readonly networks: readonly Network[];
  /** Every upload of the plan, read, by absolute path. */
  readonly uploads: ReadonlyMap<string, UploadTree>;
  readonly options: ArgoOptions;
}

export interface ArgoExport {
  /** Warnings (what changes) and errors (what cannot be exported). */
  readonly diagnostics: readonly Diagnostic[];
  /** The objects, Workflow last; empty when there is an error. */
  readonly documents: readonly KubernetesObject[];
  /** The Secret the Workflow reads and the export does not write, when there is one. */
  readonly secret?: SecretPlan;
  /** Workflow parameters to give when submitting (`argo submit -p NAME=VALUE`). */
  readonly parameters: readonly string[];
}

export function exportToArgo(input: ArgoInput): ArgoExport {
  const { plan, options } = input;
  const report = newReport(input.loaded, plan);
  const workflowName = plan.workflow ?? plan.name;
  const namespace = options.namespace;
  const kinds = networkKinds(plan, input.networks, report);
  const daemons = daemonJobs(plan);
  checkDaemonResults(plan, daemons, report);
  checkTaskNames(plan, report);
  const ancestors = daemonAncestors(plan, daemons);
  const clientsOf = daemonClients(plan);
  const producers = outputProducers(plan, report);
  const passThrough = passThroughParameters(plan, report);
  const parameters = [...new Set([...passThrough.values()].flat())].sort();
  const secret = secretPlan(plan, workflowName, namespace, report);
  const byName = new Map(plan.jobs.map((j) => [j.name, j]));
  const position = new Map(plan.jobs.map((j, i) => [j.name, i]));
  const configMaps: IConfigMap[] = [];
  const templates: ITemplate[] = [];
  const tasks: IDAGTask[] = [];
  for (const job of plan.jobs) {
    const clients = clientsOf.get(job.name) ?? [];
    if (clients.length > 0) warnDaemon(job, clients, report);
    const uploads = jobUploads(job, workflowName, input.uploads, namespace, report);
    if (uploads !== undefined) configMaps.push(uploads.configMap);
    const aliases = serviceAliases(job, byName, position, ancestors, (n) => kinds.get(n) ?? 'open');
    const image = imageOf(job, options, report);
    const outputs = outputUses(job);
    templates.push(
      containerTemplate(
        {
          job,
          workflow: workflowName,
          image: image ?? '',
          daemon: daemons.has(job.name),
          aliases,
          uploads,
          secret,
          producer: producers.has(job.name),
          outputs,
          passThrough: passThrough.get(job.name) ?? [],
        },
        report,
      ),
    );
    const depends = dependsOf(job);
    const args = [...aliases.map(aliasArgument), ...outputs.map(outputArgument)];
    tasks.push({
      name: taskName(job.name),
      template: templateName(job.name),
      ...(depends === undefined ? {} : { depends }),
      ...(args.length === 0 ? {} : { arguments: { parameters: args } }),
    });
  }
  const claims = volumeClaims(plan, overlapCheck(plan, daemons), namespace, report);
  const policies = [...kinds].map(([network, kind]) => networkPolicy(network, kind, namespace));
  const workflow: IWorkflow = {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Workflow',
    metadata: {
      generateName: generateName(workflowName),
      ...(namespace === undefined ? {} : { namespace }),
      labels: { [LABELS.workflow]: labelValue(workflowName) },
      annotations: {
        'rnx/source': plan.workflow === undefined ? plan.file : `${plan.file}:${plan.workflow}`,
      },
    },
    spec: {
      entrypoint: DAG_TEMPLATE,
      ...(parameters.length === 0
        ? {}
        : { arguments: { parameters: parameters.map((name) => ({ name })) } }),
      templates: [
        {
          name: DAG_TEMPLATE,
          dag: {
            failFast: false,
            target: tasks.map((t) => t.name).join(' '),
            tasks,
          },
        },
        ...templates,
      ],
    },
  };
  const diagnostics = sortDiagnostics(report.diagnostics);
  const failed = diagnostics.some((d) => d.severity === 'error');
  return {
    diagnostics,
    documents: failed ? [] : [...configMaps, ...claims, ...policies, workflow],
    ...(secret === undefined ? {} : { secret }),
    parameters,
  };
}

/** Two jobs whose task names would be the same (a job named like another's `job-` form). */
function checkTaskNames(plan: Plan, report: Report): void {
  const seen = new Map<string, string>();
  for (const job of plan.jobs) {
    const task = taskName(job.name);
    const other = seen.get(task);
    if (other !== undefined) {
      report.error(
        report.job(job.name),
        'argo-task-name-clash',
        `jobs '${other}' and '${job.name}' would both be the Argo task '${task}'`,
        "rename one of them: a job whose name starts with a digit or is a word of Argo's depends expressions (not, in, and, ...) becomes the task job-NAME",
      );
    }
    seen.set(task, job.name);
  }
}
