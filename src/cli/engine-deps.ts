/**
 * The engine's real collaborators: the isolation runner (runJob) and the networks area's leases.
 * Kept here, at the edge, so that src/engine only knows the interfaces of src/engine/ports.ts.
 */
import type { EngineDeps } from '../engine/ports.js';
import { LineSplitter } from '../engine/line-splitter.js';
import { newJobId } from '../isolation/records/job-id.js';
import { runJob } from '../isolation/runner.js';
import { currentProcessOwner, getNetwork, leaseAddress, releaseLease } from '../networks/index.js';
import type { Lease } from '../networks/types.js';
import { ok } from '../problem.js';
import type { Database } from '../state/database.js';

export function realEngineDeps(
  db: Database,
  stateDir: string,
): EngineDeps<Lease & { listed?: boolean }> {
  return {
    newJobId,
    addresses: {
      lease(network, jobId) {
        const found = getNetwork(db, network);
        if (found.ok && found.value.mode === 'none') return Promise.resolve(ok(undefined));
        const leased = leaseAddress(db, network, currentProcessOwner(jobId));
        // Jobs of `isolated` cannot reach each other: do not list them in each other's hosts.
        if (!leased.ok || !found.ok || found.value.mode !== 'isolated')
          return Promise.resolve(leased);
        return Promise.resolve(ok({ ...leased.value, listed: false }));
      },
      release(jobId) {
        releaseLease(db, jobId);
        return Promise.resolve();
      },
    },
    runner: {
      async run(spec, _lease, hooks) {
        // The lease is in the database under spec.id: the runner's phase 1 finds it there.
        const out = new LineSplitter((text) => hooks.onLines('stdout', text));
        const err = new LineSplitter((text) => hooks.onLines('stderr', text));
        const result = await runJob(
          spec,
          {
            onStdout: (chunk) => out.push(chunk),
            onStderr: (chunk) => err.push(chunk),
            onStarted: (info) =>
              hooks.onStarted({
                pid: info.pid,
                ...(info.address === undefined ? {} : { address: info.address }),
              }),
            onReady: (info) => hooks.onReady({ afterMs: info.afterMs }),
            signal: hooks.signal,
            killSignal: hooks.killSignal,
          },
          { db, stateDir },
        );
        out.flush();
        err.flush();
        return result;
      },
    },
  };
}
