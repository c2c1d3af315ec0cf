/**
 * rnx networks as NetworkPolicies. Every pod carries the label `rnx/network: NAME`; one policy per
 * network the workflow uses selects those pods and reproduces rnx's rules:
 *
 * | rnx network | ingress | egress |
 * | --- | --- | --- |
 * | `bridge`, custom | from pods of the same network only | same network, the outside, DNS |
 * | `isolated` | none | the outside, DNS (not each other: no ingress) |
 * | custom `--internal` | from the same network | the same network only |
 * | `none` | none | none |
 *
 * Policies are namespace objects named after the network, shared by every workflow exported into
 * the namespace, as rnx networks are shared by every job on the host.
 */
import type { INetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import type { INetworkPolicyEgressRule } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicyEgressRule';
import type { INetworkPolicyPeer } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicyPeer';
import { builtinNetwork } from '../../networks/builtins.js';
import type { Network } from '../../networks/types.js';
import type { Plan } from '../../validate/model.js';
import { dnsLabel, LABELS, MANAGER } from './names.js';
import type { Report } from './report.js';

/** How a network behaves, as far as a policy is concerned. */
export type NetworkKind = 'open' | 'isolated' | 'internal' | 'none';

export function kindOf(network: Network): NetworkKind {
  if (network.mode === 'none') return 'none';
  if (network.mode === 'isolated') return 'isolated';
  return network.internal ? 'internal' : 'open';
}

/** True when jobs of this kind reach other jobs of their network (by name, through hostAliases). */
export function reachesPeers(kind: NetworkKind): boolean {
  return kind === 'open' || kind === 'internal';
}

export function policyName(network: string): string {
  return dnsLabel(`rnx-network-${network}`);
}

const SAME_NETWORK = (network: string): INetworkPolicyPeer => ({
  podSelector: { matchLabels: { [LABELS.network]: network } },
});

const OUTSIDE: INetworkPolicyEgressRule = { to: [{ ipBlock: { cidr: '0.0.0.0/0' } }] };

/** Name resolution through the cluster's DNS (kube-dns / CoreDNS pods, in any namespace). */
const DNS: INetworkPolicyEgressRule = {
  to: [{ namespaceSelector: {}, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }],
  ports: [
    { protocol: 'UDP', port: 53 },
    { protocol: 'TCP', port: 53 },
  ],
};

export function networkPolicy(
  network: string,
  kind: NetworkKind,
  namespace: string | undefined,
): INetworkPolicy {
  const ingress = kind === 'open' || kind === 'internal' ? [{ from: [SAME_NETWORK(network)] }] : [];
  const egress: INetworkPolicyEgressRule[] =
    kind === 'open'
      ? [{ to: [SAME_NETWORK(network)] }, OUTSIDE, DNS]
      : kind === 'isolated'
        ? [OUTSIDE, DNS]
        : kind === 'internal'
          ? [{ to: [SAME_NETWORK(network)] }]
          : [];
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: {
      name: policyName(network),
      ...(namespace === undefined ? {} : { namespace }),
      labels: { [LABELS.managedBy]: MANAGER, [LABELS.network]: network },
      annotations: { 'rnx/network-kind': kind },
    },
    spec: {
      podSelector: { matchLabels: { [LABELS.network]: network } },
      policyTypes: ['Ingress', 'Egress'],
      ...(ingress.length === 0 ? {} : { ingress }),
      ...(egress.length === 0 ? {} : { egress }),
    },
  };
}

/** How each network the jobs use behaves; an unknown custom network is said to be an open one. */
export function networkKinds(
  plan: Plan,
  networks: readonly Network[],
  report: Report,
): Map<string, NetworkKind> {
  const kinds = new Map<string, NetworkKind>();
  for (const job of plan.jobs) {
    if (kinds.has(job.network)) continue;
    const known = builtinNetwork(job.network) ?? networks.find((n) => n.name === job.network);
    const at = report.has(report.job(job.name, 'network'))
      ? report.job(job.name, 'network')
      : report.job(job.name);
    if (known === undefined) {
      report.warning(
        at,
        'argo-network-unknown',
        `network '${job.network}' is not defined on this host: it is exported as a network whose jobs reach each other and the outside (rnx network create without --internal)`,
        `create it here first (rnx network create ${job.network} --cidr=CIDR [--internal]) to export its kind, or edit the NetworkPolicy`,
      );
    }
    const kind = known === undefined ? 'open' : kindOf(known);
    if (kind === 'none' || kind === 'internal') {
      report.warning(
        at,
        'argo-network-api-server',
        `network '${job.network}' lets its pods reach ${kind === 'none' ? 'nothing' : 'only each other'}: Argo's wait container in each pod must still reach the Kubernetes API server to report the job's result`,
        `allow it with one more NetworkPolicy for pods labelled ${LABELS.network}=${job.network}: egress to your API server's address and port`,
      );
    }
    kinds.set(job.network, kind);
  }
  return kinds;
}
