/**
 * Names of services, as rnx gives them: a job reaches the jobs of its network by name. On Argo
 * only a running pod has an address to name, so a job gets a `hostAliases` entry for every daemon
 * it waits for (directly or not) on its own network, in file order, its address passed in as an input parameter
 * filled from the daemon task's `{{tasks.NAME.ip}}`. Jobs on `isolated` or `none` reach nobody by
 * name, as in rnx.
 */
import type { IHostAlias } from 'kubernetes-models/v1/HostAlias';
import type { PlannedJob } from '../../validate/model.js';
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
  jobs: ReadonlyMap<string, PlannedJob>,
  position: ReadonlyMap<string, number>,
  daemonAncestors: ReadonlyMap<string, ReadonlySet<string>>,
  kindOfNetwork: (network: string) => NetworkKind,
): ServiceAlias[] {
  if (!reachesPeers(kindOfNetwork(job.network))) return [];
  const mine = daemonAncestors.get(job.name);
  if (mine === undefined || mine.size === 0) return [];
  return [...mine]
    .filter((name) => jobs.get(name)?.network === job.network)
    .sort((a, b) => (position.get(a) ?? 0) - (position.get(b) ?? 0))
    .map((name) => ({ host: name, parameter: `ip-${name}` }));
}

export function hostAliasesOf(aliases: readonly ServiceAlias[]): IHostAlias[] {
  return aliases.map((a) => ({ ip: `{{inputs.parameters.${a.parameter}}}`, hostnames: [a.host] }));
}

/** The DAG task's argument that fills one alias's address. */
export function aliasArgument(alias: ServiceAlias): { name: string; value: string } {
  return { name: alias.parameter, value: `{{tasks.${taskName(alias.host)}.ip}}` };
}
