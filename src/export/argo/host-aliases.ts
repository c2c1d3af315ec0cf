/**
 * Names of services, as rnx gives them: a job reaches the jobs of its network by name. On Argo
 * only a running pod has an address to name, so a job gets a `hostAliases` entry for every daemon
 * it waits for (directly or not) on its own network, its address passed in as an input parameter
 * filled from the daemon task's `{{tasks.NAME.ip}}`. Jobs on `isolated` or `none` reach nobody by
 * name, as in rnx.
 */
import type { IHostAlias } from 'kubernetes-models/v1/HostAlias';
import type { Plan, PlannedJob } from '../../validate/model.js';
import { taskName } from './names.js';
import type { NetworkKind } from './network-policy.js';
import { reachesPeers } from './network-policy.js';

export interface ServiceAlias {
  /** The daemon job, and the host name the client uses. */
  readonly host: string;
  /** The client template's input parameter that carries the address. */
  readonly parameter: string;
}

export function serviceAliases(
  job: PlannedJob,
  plan: Plan,
  daemons: ReadonlySet<string>,
  ancestors: ReadonlyMap<string, ReadonlySet<string>>,
  kindOfNetwork: (network: string) => NetworkKind,
): ServiceAlias[] {
  if (!reachesPeers(kindOfNetwork(job.network))) return [];
  const mine = ancestors.get(job.name) ?? new Set<string>();
  return plan.jobs
    .filter((other) => daemons.has(other.name) && mine.has(other.name))
    .filter((other) => other.network === job.network)
    .map((other) => ({ host: other.name, parameter: `ip-${other.name}` }));
}

export function hostAliasesOf(aliases: readonly ServiceAlias[]): IHostAlias[] {
  return aliases.map((a) => ({ ip: `{{inputs.parameters.${a.parameter}}}`, hostnames: [a.host] }));
}

/** The DAG task's argument that fills one alias's address. */
export function aliasArgument(alias: ServiceAlias): { name: string; value: string } {
  return { name: alias.parameter, value: `{{tasks.${taskName(alias.host)}.ip}}` };
}
