/**
 * A digest of what a job runs, for reruns: a completed job is reused only while its definition
 * is unchanged. Secret values are left out (only their names count), so that the digest stored
 * with the run reveals nothing about them.
 */
import { createHash } from 'node:crypto';
import type { PlannedJob } from '../validate/model.js';

export function definitionOf(job: PlannedJob): string {
  const { secretEnvironment, ...rest } = job;
  const text = JSON.stringify({ ...rest, secretNames: Object.keys(secretEnvironment).sort() });
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}
