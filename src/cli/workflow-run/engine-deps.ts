/**
 * The engine's real collaborator: the isolation runner (runJob), which leases a job's address when
 * the job starts and releases it when the job ends (the lease's one owner). Kept here, at the edge,
 * so that src/engine only knows the interfaces of src/engine/ports.ts.
 */
import type { EngineDeps } from '../../engine/ports.js';
import { LineSplitter } from '../../engine/line-splitter.js';
import { newJobId } from '../../isolation/records/job-id.js';
import type { OutputFlow } from '../../isolation/output/output-flow.js';
import { runJob } from '../../isolation/runner.js';
import { sandboxProgram } from '../../isolation/sandbox/sandbox-program.js';
import { sandboxServer } from '../../isolation/sandbox/sandbox-server.js';
import { spawnerProcess, type Spawner } from '../../isolation/start/spawner.js';
import type { Database } from '../../state/database.js';
import {
  artifactsDir,
  discardAttempt,
  keepArtifacts,
  prepareAttempt,
  readOutputText,
} from '../../state/run-files.js';

export interface RealEngineOptions {
  /**
   * Start jobs' processes from a small process of their own (isolation/start/spawner.ts): worth
   * its start-up when jobs start while others run or end.
   */
  readonly spawnOffThread?: boolean;
  /** Jobs' output is not read while where the reporter writes it is full. */
  readonly outputFlow?: OutputFlow;
}

export function realEngineDeps(
  db: Database,
  stateDir: string,
  options: RealEngineOptions = {},
): EngineDeps {
  let spawner: Spawner | undefined;
  let spawnerTried = false;
  return {
    newJobId,
    files: {
      prepare: (runId, jobId, workspace) => prepareAttempt(stateDir, runId, jobId, workspace),
      outputText: readOutputText,
      keepArtifacts: (files, runId, job, patterns) =>
        keepArtifacts(files, artifactsDir(stateDir, runId, job), patterns),
      artifactsDir: (runId, job) => artifactsDir(stateDir, runId, job),
      discard: (runId, jobId) => discardAttempt(stateDir, runId, jobId),
    },
    runner: {
      async run(spec, hooks) {
        if (options.spawnOffThread === true && !spawnerTried) {
          spawnerTried = true;
          // rnx-sandbox serves its own starts (sandbox-server.ts); bwrap's come from Node's.
          const program = sandboxProgram();
          spawner =
            program.ok && program.value.kind === 'rnx-sandbox'
              ? sandboxServer(program.value.path)
              : spawnerProcess();
        }
        const out = new LineSplitter((lines) => hooks.onLines('stdout', lines));
        const err = new LineSplitter((lines) => hooks.onLines('stderr', lines));
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
            slot: () => hooks.slot(),
            ...(options.outputFlow === undefined ? {} : { outputFlow: options.outputFlow }),
          },
          { db, stateDir, ...(spawner === undefined ? {} : { spawner }) },
        );
        out.flush();
        err.flush();
        return result;
      },
    },
  };
}
