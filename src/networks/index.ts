/** The networks area's public surface (see the shared contracts in the briefing). */
export {
  attachJob,
  detachJob,
  releaseJobVeth,
  startJobSide,
  type AttachRequest,
  type JobSide,
} from './attach.js';
export { BUILTIN_NETWORKS, DEFAULT_NETWORK } from './builtins.js';
export { ensureNetworkOnHost } from './host.js';
export { warmIpSession } from './ip-session.js';
export {
  findLease,
  leaseAddress,
  listLeases,
  reclaimStaleLeases,
  releaseLease,
  transferLease,
} from './leases.js';
export { createNetwork, removeNetwork, validateNetworkInput } from './manage.js';
export { vethName } from './names.js';
export { currentProcessOwner, processStartTime } from './owner.js';
export { findNetwork, getNetwork, listNetworks } from './store.js';
export type { Lease, LeaseOwner, LeaseRecord, Network, NetworkMode } from './types.js';
