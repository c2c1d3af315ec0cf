/**
 * Network names (the rule is the workflow schema's, src/names.ts) and the kernel interface names
 * derived from them. Interface names (15 characters at most) are derived deterministically:
 *   - a name of up to 11 characters: `rnx-NAME` (`development` → `rnx-development`);
 *   - a longer name: `rnx-` + its first 4 characters + `_` + 6 hex digits of its SHA-256
 *     (`development-eu` → `rnx-deve_` + 6 hex digits).
 * `_` never appears in a network name, so the two forms never collide with each other; the store's
 * UNIQUE constraint on the bridge column refuses the (astronomically rare) hash collision.
 * Host veth ends are `rnxv` + 11 hex digits of the SHA-256 of the job id.
 */
import { checkName } from '../names.js';
import type { Result } from '../problem.js';
import { sha256Hex } from '../hashes.js';

/** Linux's IFNAMSIZ minus the terminating NUL. */
export const MAX_INTERFACE_NAME = 15;

export function validateName(name: string): Result<string> {
  return checkName('network', name);
}

/** The bridge interface of a custom network (see the file comment for the scheme). */
export function bridgeName(networkName: string): string {
  const direct = `rnx-${networkName}`;
  if (direct.length <= MAX_INTERFACE_NAME) return direct;
  return `rnx-${networkName.slice(0, 4)}_${sha256Hex(networkName, 6)}`;
}

/** The host end of a job's veth pair. */
export function vethName(jobId: string): string {
  return `rnxv${sha256Hex(jobId, 11)}`;
}
