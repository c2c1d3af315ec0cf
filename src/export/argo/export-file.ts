/**
 * The use case behind `rnx workflow export --target=argo`: validate the file exactly as
 * `rnx workflow validate --skip-environment` does (its uploads are still checked: they are read),
 * pick the workflow, read its uploads, map it, and write the YAML stream.
 */
import type { Network } from '../../networks/types.js';
import type { Catalog } from '../../validate/host/catalog.js';
import type { Diagnostic } from '../../validate/diagnostic.js';
import { isError } from '../../validate/diagnostic.js';
import { validateWorkflowFile } from '../../validate/load/read-file.js';
import { toYamlStream } from './documents.js';
import { readUploads } from './read-uploads.js';
import type { SecretPlan } from './secrets.js';
import type { ArgoOptions } from './workflow.js';
import { exportToArgo } from './workflow.js';

export interface ExportRequest {
  readonly file: string;
  /** For files with `workflows:`: which one. */
  readonly workflow?: string;
  /** Absolute directory `file` is relative to. */
  readonly cwd: string;
  /** Checks uploads on this host; networks, volumes and runtimes are not looked for. */
  readonly catalog: Catalog;
  /** Networks this host knows, for the kind of each custom network. */
  readonly networks: readonly Network[];
  /** rnx's environment, for validation's look at variables given without a value. */
  readonly hostEnvironment?: Readonly<Record<string, string | undefined>>;
  readonly options: ArgoOptions;
}

export type ExportOutcome =
  | {
      readonly kind: 'exported';
      readonly diagnostics: readonly Diagnostic[];
      readonly source: string | undefined;
      readonly yaml: string;
      readonly secret?: SecretPlan;
      /** Workflow parameters to give when submitting. */
      readonly parameters: readonly string[];
    }
  | {
      readonly kind: 'invalid';
      readonly diagnostics: readonly Diagnostic[];
      readonly source: string | undefined;
    }
  | { readonly kind: 'several'; readonly names: readonly string[] };

export async function exportArgoFile(request: ExportRequest): Promise<ExportOutcome> {
  const checked = await validateWorkflowFile(request.file, request.catalog, {
    cwd: request.cwd,
    checkEnvironment: false,
    ...(request.hostEnvironment === undefined ? {} : { hostEnvironment: request.hostEnvironment }),
    ...(request.workflow === undefined ? {} : { workflow: request.workflow }),
  });
  const loaded = checked.loaded;
  if (checked.diagnostics.some(isError) || loaded === undefined) {
    return { kind: 'invalid', diagnostics: checked.diagnostics, source: checked.source };
  }
  const plan = checked.plan;
  if (plan === undefined) return { kind: 'several', names: checked.workflowNames };
  const mapped = exportToArgo({
    plan,
    // As validation loaded it: its document is parsed again only to locate a diagnostic.
    loaded,
    networks: request.networks,
    uploads: readUploads(plan),
    options: request.options,
  });
  const diagnostics = [...checked.diagnostics, ...mapped.diagnostics];
  if (mapped.diagnostics.some(isError)) {
    return { kind: 'invalid', diagnostics, source: loaded.source };
  }
  return {
    kind: 'exported',
    diagnostics,
    source: loaded.source,
    yaml: toYamlStream(mapped.documents),
    ...(mapped.secret === undefined ? {} : { secret: mapped.secret }),
    parameters: mapped.parameters,
  };
}
