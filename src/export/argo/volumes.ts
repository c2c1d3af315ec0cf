/**
 * rnx volumes as PersistentVolumeClaims, mounted at /volumes/NAME as in rnx. A claim outlives the
 * workflow, as an rnx volume outlives its jobs. Its access mode follows the graph: ReadWriteOnce
 * when the jobs that use it never run at the same time, ReadWriteMany when two may (which needs a
 * storage class that offers it; the export says so). rnx volumes have no size; a claim must ask
 * for one, and the export says which.
 */
import type { IPersistentVolumeClaim } from 'kubernetes-models/v1/PersistentVolumeClaim';
import type { Plan } from '../../validate/model.js';
import { waveOf } from './depends.js';
import { dnsLabel, LABELS, MANAGER } from './names.js';
import type { Report } from './report.js';

export const VOLUME_SIZE = '1Gi';

export function claimName(volume: string): string {
  return dnsLabel(`rnx-volume-${volume}`, 253);
}

/** The jobs that mount each volume, in file order. */
export function volumeUsers(plan: Plan): ReadonlyMap<string, readonly string[]> {
  const users = new Map<string, string[]>();
  for (const job of plan.jobs) {
    for (const v of job.volumes) {
      const list = users.get(v) ?? [];
      // Job names are unique: a job is the last one added when it names a volume twice.
      if (list[list.length - 1] !== job.name) list.push(job.name);
      users.set(v, list);
    }
  }
  return users;
}

export function volumeClaims(
  plan: Plan,
  mayOverlap: (a: string, b: string) => boolean,
  namespace: string | undefined,
  report: Report,
): IPersistentVolumeClaim[] {
  const claims: IPersistentVolumeClaim[] = [];
  const waves = waveOf(plan);
  const byName = new Map(plan.jobs.map((j) => [j.name, j]));
  for (const [volume, users] of volumeUsers(plan)) {
    const first = users[0] as string;
    const at = report.job(first, 'volumes', byName.get(first)?.volumes.indexOf(volume) ?? 0);
    const pair = overlappingPair(users, mayOverlap, waves);
    if (pair !== undefined) {
      report.warning(
        at,
        'argo-volume-shared',
        `volume '${volume}' is used by jobs that may run at the same time (${pair[0]} and ${pair[1]}): its claim asks for ReadWriteMany, which the cluster's storage class must offer`,
      );
    }
    report.warning(
      at,
      'argo-volume-size',
      `volume '${volume}' becomes the claim ${claimName(volume)} of ${VOLUME_SIZE}: rnx volumes have no size, a claim must ask for one`,
      'change spec.resources.requests.storage in the exported claim to what the volume needs',
    );
    claims.push({
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: {
        name: claimName(volume),
        ...(namespace === undefined ? {} : { namespace }),
        labels: { [LABELS.managedBy]: MANAGER },
        annotations: { 'rnx/volume': volume },
      },
      spec: {
        accessModes: [pair === undefined ? 'ReadWriteOnce' : 'ReadWriteMany'],
        resources: { requests: { storage: VOLUME_SIZE } },
      },
    });
  }
  return claims;
}

/**
 * The first pair of users, in file order, that may run at the same time. When the users, taken
 * wave by wave, each wait for the one before (the common case, a volume handed down a chain),
 * every pair is ordered and no pair is looked at: "waits for" is transitive.
 */
function overlappingPair(
  users: readonly string[],
  mayOverlap: (a: string, b: string) => boolean,
  waves: ReadonlyMap<string, number>,
): readonly [string, string] | undefined {
  const ordered = [...users].sort((a, b) => (waves.get(a) ?? 0) - (waves.get(b) ?? 0));
  if (ordered.every((u, i) => i === 0 || !mayOverlap(ordered[i - 1] as string, u))) {
    return undefined;
  }
  for (let i = 0; i < users.length; i++) {
    for (let j = i + 1; j < users.length; j++) {
      const a = users[i] as string;
      const b = users[j] as string;
      if (mayOverlap(a, b)) return [a, b];
    }
  }
  return undefined;
}
