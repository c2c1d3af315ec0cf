/**
 * Job ids: 12 lowercase hex characters (48 random bits). Short enough for a cgroup name or a veth
 * name (`rnx` + 12 = 15 characters, the kernel's interface name limit). The jobs table's primary key
 * refuses a duplicate, so a collision can never mix two jobs' records.
 */
import { randomHex } from '../../hashes.js';

export const JOB_ID_PATTERN = /^[0-9a-f]{12}$/;

export function newJobId(): string {
  return randomHex(6);
}
