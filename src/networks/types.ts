/** The data rnx's networks area hands to the rest of rnx (see the shared contracts). */

export type NetworkMode = 'bridge' | 'custom' | 'isolated' | 'none';

export interface Network {
  readonly name: string;
  /** `A.B.C.D/N`; empty for `none`. */
  readonly cidr: string;
  /** Bridge interface on the host; empty for `none`. */
  readonly bridge: string;
  readonly builtin: boolean;
  /** True when jobs cannot leave the network's subnet (no NAT, no outside access). */
  readonly internal: boolean;
  readonly mode: NetworkMode;
}

/** Who holds a lease: a job id and the process that leased it (pid + start time from /proc). */
export interface LeaseOwner {
  readonly jobId: string;
  readonly pid: number;
  /** Field 22 of /proc/PID/stat (clock ticks since boot), telling a reused pid apart. */
  readonly pidStartTime: number;
}

export interface Lease {
  readonly network: string;
  readonly jobId: string;
  readonly address: string;
  readonly prefixLength: number;
  readonly gateway: string;
  readonly bridge: string;
}

/** A lease as shown by `rnx network inspect`. */
export interface LeaseRecord {
  readonly jobId: string;
  readonly address: string;
  readonly pid: number;
  readonly createdAt: string;
}
