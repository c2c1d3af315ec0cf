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
import type { Network } from '../../networks/types.js';
import { dnsLabel, LABELS, MANAGER } from './names.js';

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
