/**
 * The runner's side of a detached job: the supervisor's argv for this job, and the hand-over once
 * the job runs (the supervisor's pid and start time become the owner of the job, its address
 * lease and its volume uses, in one transaction; the rnx that started it may then exit).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { transaction, type Database } from '../../state/database.js';
import { transferLease } from '../../networks/index.js';
import { transferVolumeUses } from '../filesystem/volumes.js';
import { endFifoDir, endFifoPath } from '../records/end-signal.js';
import { setJobOwner } from '../records/job-store.js';
import { processStartTime } from '../records/proc-identity.js';
import { findTool, type HostTool } from '../../host-tools.js';
import type { JobProcess } from '../start/job-process.js';
import { takeFifo } from '../start/fifo-pool.js';
import { chownTree, type Owner } from '../filesystem/ownership.js';
import { ok, type Result } from '../../problem.js';
import { maskScript, supervisorArgv } from './supervisor.js';

export interface DetachOptions {
  /**
   * How to run rnx again at the job's end: the node binary and rnx's script. The supervisor runs
   * `NODE SCRIPT job finish-detached ID STATUS` with them.
   */
  readonly rnx: readonly string[];
}

/** What the supervisor needs to know of the job. */
export interface SupervisedJob {
  readonly stateDir: string;
  readonly jobId: string;
  readonly runDir: string;
  readonly logPath: string;
  readonly secrets: readonly string[];
  /** Enforced by the supervisor (its timer), counted from the go. */
  readonly timeoutMs?: number;
}

/** By absolute path, as found on PATH: the supervisor runs with an empty environment. */
function tool(name: HostTool): string {
  return findTool(name) ?? name;
}

/**
 * The job's stdout and stderr: one FIFO from the pool (output-pipes.ts) at `RUNDIR/output`,
 * handed to the job's user when it runs as another (reopened by path, as /dev/stdout is, a FIFO
 * checks its owner and mode). The supervisor's reader appends what comes through it to the log.
 */
export async function detachedOutputFifo(
  stateDir: string,
  runDir: string,
  owner: Owner | undefined,
): Promise<Result<string>> {
  const path = outputFifoPath(runDir);
  const taken = await takeFifo(stateDir, path);
  if (!taken.ok) return taken;
  if (owner !== undefined) {
    const owned = chownTree(path, owner);
    if (!owned.ok) return owned;
  }
  return ok(path);
}

function outputFifoPath(runDir: string): string {
  return join(runDir, 'output');
}

/** The supervisor's argv; the job's output FIFO (detachedOutputFifo) must exist. */
export function supervisorFor(detach: DetachOptions, job: SupervisedJob): string[] {
  endFifoDir(job.stateDir);
  const masking = job.secrets.some((s) => s.length > 0);
  const maskFile = join(job.runDir, 'mask.sed');
  if (masking) writeFileSync(maskFile, maskScript(job.secrets), { mode: 0o600 });
  return supervisorArgv({
    sh: tool('sh'),
    mkfifo: tool('mkfifo'),
    env: tool('env'),
    setsid: tool('setsid'),
    sleep: tool('sleep'),
    logPath: job.logPath,
    endFifo: endFifoPath(job.stateDir, job.jobId),
    goFifo: join(job.runDir, 'go'),
    rnx: detach.rnx,
    jobId: job.jobId,
    stateDir: job.stateDir,
    ...(job.timeoutMs === undefined ? {} : { timeoutMs: job.timeoutMs }),
    outputFifo: outputFifoPath(job.runDir),
    reader: masking ? [tool('sed'), '-u', '-f', maskFile] : [tool('cat')],
  });
}

/** The supervisor becomes the job's owner; false when it is already gone. */
export function handOver(db: Database, jobId: string, proc: JobProcess): boolean {
  const pid = proc.supervisorPid;
  const startTime = pid === undefined ? undefined : processStartTime(pid);
  if (pid === undefined || startTime === undefined) return false;
  transaction(db, () => {
    setJobOwner(db, jobId, { pid, startTime });
    transferLease(db, jobId, { pid, pidStartTime: startTime });
    transferVolumeUses(db, jobId, { pid, startTime });
  });
  proc.detach();
  return true;
}
