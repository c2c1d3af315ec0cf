/** The real RunControlPorts (src/engine/run-control.ts): liveness, ends and SIGINT. */
import type { RunControlPorts } from '../../engine/run-control.js';
import { nextEnd } from '../../isolation/records/end-signal.js';
import { isAlive } from '../../isolation/records/proc-identity.js';

export function runControlPorts(stateDir: string): RunControlPorts {
  return {
    isAlive,
    nextEnd: (runId, abort) =>
      nextEnd(stateDir, runId, { notFifo: true, ...(abort === undefined ? {} : { abort }) }),
    interrupt(owner) {
      if (!isAlive(owner)) return false;
      try {
        process.kill(owner.pid, 'SIGINT');
        return true;
      } catch {
        return false;
      }
    },
  };
}
