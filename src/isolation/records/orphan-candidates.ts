/**
 * The cheap question every rnx command asks before it runs: is there an active job whose rnx is
 * gone? One indexed query and a read of /proc per active job; kept apart from orphans.ts so that
 * the answer "no" costs no loading of the cleanup code (cgroups, networks, the job filesystem).
 */
import type { Database } from '../../state/database.js';
import { activeJobOwners } from './job-store.js';
import { isAlive, type ProcessIdentity } from './proc-identity.js';

export function orphanCandidates(db: Database): { id: string; owner: ProcessIdentity }[] {
  return activeJobOwners(db).filter((j) => !isAlive(j.owner));
}
