/**
 * Network names and the kernel interface names derived from them. A network name is 1 to 40
 * characters: lower-case letters, digits and `-`, starting with a letter or digit. Interface names
 * (15 characters at most) are derived deterministically:
 *   - a name of up to 11 characters: `rnx-NAME` (`development` → `rnx-development`);
 *   - a longer name: `rnx-` + its first 4 characters + `_` + 6 hex digits of its SHA-256
 *     (`development-eu` → `rnx-deve_` + 6 hex digits).
 * `_` never appears in a network name, so the two forms never collide with each other; the store's
 * UNIQUE constraint on the bridge column refuses the (astronomically rare) hash collision.
 * Host veth ends are `rnxv` + 11 hex digits of the SHA-256 of the job id.
 */
import { createHash } from 'node:crypto';
import { fail, ok, type Result } from '../problem.js';

export const NAME_PATTERN = /^[a-z0-9][a-z0-9-]{0,39}$/;
export const NAME_RULE =
  'names are 1-40 characters: lower-case letters, digits and -, starting with a letter or digit';

/** Linux's IFNAMSIZ minus the terminating NUL. */
export const MAX_INTERFACE_NAME = 15;

export function validateName(name: string): Result<string> {
  if (NAME_PATTERN.test(name)) return ok(name);
  const shown =
    name.length > 40 ? `${name.slice(0, 40)}...' (${String(name.length)} characters)` : `${name}'`;
  return fail('network-name-invalid', `invalid network name '${shown}`, NAME_RULE);
}

function hex(text: string, length: number): string {
  return createHash('sha256').update(text).digest('hex').slice(0, length);
}

/** The bridge interface of a custom network (see the file comment for the scheme). */
export function bridgeName(networkName: string): string {
  const direct = `rnx-${networkName}`;
  if (direct.length <= MAX_INTERFACE_NAME) return direct;
  return `rnx-${networkName.slice(0, 4)}_${hex(networkName, 6)}`;
}

/** The host end of a job's veth pair. */
export function vethName(jobId: string): string {
  return `rnxv${hex(jobId, 11)}`;
}
