/**
 * runJob: one job, start to end. Records it, leases its address (phase 1), prepares its files and
 * cgroup, starts it blocked in its init, wires its network with the PID (phase 2), lets it exec,
 * streams its output, stops it on request or timeout, and removes everything it held however it
 * ended. The engine and `rnx job run` both call this; it knows nothing of workflows.
 */
import { openDatabase, stateDir as defaultStateDir, type Database } from '../state/database.js';
import type { CgroupLayout } from './cgroups/layout.js';
import { createJobCgroup, oomKills } from './cgroups/job-cgroup.js';
import { prepareJobFilesystem } from './filesystem/job-filesystem.js';
import { jobRequirements } from './start/host-check.js';
import { initScript } from './start/init-script.js';
import { jobEnvironment, jobHostname } from './start/job-env.js';
import { logPathOf, runDirOf, writeJobFiles } from './filesystem/job-files.js';
import type { Observed } from './end/outcome.js';
import { startJobProcess } from './start/job-process.js';
import { handshake } from './start/handshake.js';
import type { JobResult, JobSpec } from './job-spec.js';
import { getJob, markRunning, recordResources } from './records/job-store.js';
import { insertUniquelyNamed, refreshNetworkNames } from './filesystem/network-names.js';
import { attachNetwork, ensureOnHost, prepareNetwork } from './start/network-phase.js';
import { processStartTime, selfIdentity } from './records/proc-identity.js';
import { JobOutput } from './output/job-output.js';
import { maskSecrets } from './output/redact.js';
import { finishRun, type Failure, type Held } from './end/run-end.js';
import { DEFAULT_GRACE_MS } from './end/stop-job.js';
import { superviseJob } from './end/supervise.js';
import { JobReadiness, type ReadyInfo } from './readiness/job-readiness.js';
import { handOver, supervisorFor, type DetachOptions } from './detach/start-detached.js';
import { holdEnd } from './records/end-signal.js';

export interface StartedInfo {
  /** Host pid of the job's PID 1 (its command). */
  readonly pid: number;
  readonly address?: string;
  /**
   * Milliseconds from "ready" (the go byte written and init done with its own setup, whichever
   * came last) to init's "exec now".
   */
  readonly readyToExecMs: number;
  /** True when init was already blocked waiting for the go (the go came last). */
  readonly initWaited: boolean;
}

export interface RunHooks {
  readonly onStdout?: (chunk: Buffer) => void;
  readonly onStderr?: (chunk: Buffer) => void;
  readonly onStarted?: (info: StartedInfo) => void;
  /** The job's readiness probe passed (jobs with `ready` only). */
  readonly onReady?: (info: ReadyInfo) => void;
  /** The job's log stopped (its file system full): the job runs on; said once. */
  readonly onLogStopped?: (why: string) => void;
  /** Aborting stops the job gracefully: SIGTERM to all, grace period, SIGKILL. */
  readonly signal?: AbortSignal;
  /** Aborting kills the whole job at once. */
  readonly killSignal?: AbortSignal;
}

export interface RunnerOptions {
  readonly stateDir?: string;
  readonly db?: Database;
  /** SIGTERM → SIGKILL grace period (default 10 s). */
  readonly graceMs?: number;
  /** Limit on namespace + network setup before the command runs (default 10 s). */
  readonly setupTimeoutMs?: number;
  /** Where job cgroups go (default: detected from rnx's own cgroups). */
  readonly cgroupLayout?: CgroupLayout;
  /**
   * Benchmarks only: skip the job filesystem (the job then sees the host's root, writable, with
   * only /etc/hosts and resolv.conf bound), to measure what the filesystem costs.
   */
  readonly withoutFilesystem?: boolean;
  /**
   * Run the job detached (see detach/): it runs on under a small supervisor once it has started,
   * and runJob returns a RUNNING result at once.
   */
  readonly detach?: DetachOptions;
}

export const DEFAULT_SETUP_TIMEOUT_MS = 10_000;

const databases = new Map<string, Database>();

function database(dir: string): Database {
  let db = databases.get(dir);
  if (db === undefined) {
    db = openDatabase(dir);
    databases.set(dir, db);
  }
  return db;
}

export async function runJob(
  spec: JobSpec,
  hooks: RunHooks = {},
  options: RunnerOptions = {},
): Promise<JobResult> {
  const dir = options.stateDir ?? defaultStateDir();
  const db = options.db ?? database(dir);
  const owner = selfIdentity();
  const secrets = Object.values(spec.secretEnv);
  const logPath = logPathOf(dir, spec.id);
  const inserted = insertUniquelyNamed(db, {
    id: spec.id,
    ...(spec.name === undefined ? {} : { name: spec.name }),
    ...(spec.workflowRunId === undefined ? {} : { workflowRunId: spec.workflowRunId }),
    // A secret passed on the command line too is masked in the record like in the output.
    command: [spec.command, ...spec.args].map((arg) => maskSecrets(arg, secrets)),
    envNames: Object.keys(spec.env),
    secretNames: Object.keys(spec.secretEnv),
    network: spec.network,
    resources: spec.resources,
    owner,
    logPath,
    createdAt: new Date().toISOString(),
    ...(spec.stopSignal === undefined ? {} : { stopSignal: spec.stopSignal }),
    ...(spec.stopGraceMs === undefined ? {} : { stopGraceMs: spec.stopGraceMs }),
  });
  if (!inserted.ok) {
    return {
      id: spec.id,
      ...(spec.name === undefined ? {} : { name: spec.name }),
      status: 'FAILED',
      reason: 'start-failed',
      exitCode: null,
      signal: null,
      network: spec.network,
      endedAt: new Date().toISOString(),
      message: inserted.problem.message,
      problem: inserted.problem,
    };
  }
  const readiness = new JobReadiness(spec.ready);
  const output = new JobOutput(logPath, secrets, {
    ...hooks,
    onStdout: (chunk) => {
      readiness.output('stdout', chunk);
      hooks.onStdout?.(chunk);
    },
    onStderr: (chunk) => {
      readiness.output('stderr', chunk);
      hooks.onStderr?.(chunk);
    },
  });
  // Waiters (rnx job wait / stop) wake when this process lets go of the job.
  const ownEnd = holdEnd(dir, spec.id);
  const held: Held = {};
  const end = async (
    outcome: Observed | Failure,
    extra: { startedAt?: string } = {},
  ): Promise<JobResult> => {
    readiness.cancel();
    output.close();
    const stopped = output.logStopped;
    try {
      return await finishRun(db, spec, held, outcome, {
        ...extra,
        ...(stopped === undefined ? {} : { note: `its log stopped early: ${stopped}` }),
      });
    } finally {
      ownEnd.close();
    }
  };
  try {
    const tools = jobRequirements();
    if (!tools.ok) return await end({ reason: 'start-failed', problem: tools.problem });
    if (spec.user !== undefined) {
      // Accepted by the format (and exported to Argo), but rnx cannot switch users yet: say so
      // rather than run the job as root.
      return await end({
        reason: 'start-failed',
        message: `user '${spec.user}': rnx cannot run a job as another user yet; remove 'user' to run it as root`,
      });
    }
    const prepared = prepareNetwork(db, spec.id, spec.network, {
      pid: owner.pid,
      pidStartTime: owner.startTime,
    });
    if (!prepared.ok) return await end({ reason: 'network-setup', problem: prepared.problem });
    // The host side of the network is ensured while the job starts; phase 2 waits for it.
    const network = ensureOnHost(prepared.value);
    held.prepared = network;
    const address = prepared.value.lease?.address;
    const hostname = jobHostname(spec);
    held.runDir = runDirOf(dir, spec.id);
    recordResources(db, spec.id, {
      runDir: held.runDir,
      ...(address === undefined ? {} : { address }),
      ...(prepared.value.hostVeth === undefined ? {} : { veth: prepared.value.hostVeth }),
    });
    const files = writeJobFiles(held.runDir, {
      stateDir: dir,
      withFstab: options.withoutFilesystem === true,
      hostname,
      ...(address === undefined ? {} : { address }),
      hosts: spec.hosts ?? [],
      hasNetwork: prepared.value.attached,
      ...(address === undefined ? {} : { network: spec.network }),
    });
    // Other running jobs' names into its file; its own name into theirs when it has one.
    if (address !== undefined)
      refreshNetworkNames(db, spec.network, spec.name === undefined ? spec.id : undefined);
    held.filesystem = dir;
    const filesystem = options.withoutFilesystem
      ? undefined
      : prepareJobFilesystem(db, dir, spec, { hostsFile: files.hosts, resolvFile: files.resolv });
    if (filesystem?.ok === false) {
      return await end({ reason: 'start-failed', problem: filesystem.problem });
    }
    const cgroup = createJobCgroup(spec.id, spec.resources, options.cgroupLayout);
    if (!cgroup.ok) return await end({ reason: 'start-failed', problem: cgroup.problem });
    held.cgroup = cgroup.value;
    recordResources(db, spec.id, { cgroup: cgroup.value });
    const env = jobEnvironment(spec, hostname);
    const proc = startJobProcess({
      unshare: tools.value.unshare,
      sh: tools.value.sh,
      script: initScript({
        hostname,
        procsFiles: cgroup.value.procsFiles,
        loopbackUp: !prepared.value.attached,
        tools: tools.value,
        // Mounts, pivot_root and cd /work; they bind /etc/hosts and resolv.conf in the new root.
        ...(filesystem === undefined
          ? files.fstab === undefined
            ? {}
            : { fstab: files.fstab }
          : { extraSteps: filesystem.value.lines }),
      }),
      command: spec.command,
      args: spec.args,
      env,
      onStdout: (chunk) => output.stdout(chunk),
      onStderr: (chunk) => output.stderr(chunk),
      ...(options.detach === undefined
        ? {}
        : {
            supervisor: supervisorFor(options.detach, {
              stateDir: dir,
              jobId: spec.id,
              runDir: held.runDir,
              logPath,
              secrets,
            }),
          }),
    });
    held.proc = proc;
    const started = await handshake(proc, {
      ...(prepared.value.attached
        ? { attach: () => attachNetwork(network, spec.id, proc.pid) }
        : {}),
      networkName: spec.network,
      setupTimeoutMs: options.setupTimeoutMs ?? DEFAULT_SETUP_TIMEOUT_MS,
      stopRequested: () =>
        (getJob(db, spec.id)?.stopRequestedAt ?? null) !== null ||
        (hooks.signal?.aborted ?? false) ||
        (hooks.killSignal?.aborted ?? false),
    });
    if (started.kind === 'failed') return await end(started.failure);
    if (started.kind === 'not-found') {
      return await end({ ...observed(started.exit), notFound: spec.command });
    }
    const startedAt = new Date().toISOString();
    const initPid = proc.initPid() ?? proc.pid;
    markRunning(
      db,
      spec.id,
      { pid: initPid, startTime: processStartTime(initPid) ?? 0 },
      startedAt,
    );
    if (options.detach !== undefined) {
      // The supervisor owns the job from now on; this process lets go of it.
      handOver(db, spec.id, proc);
      output.close();
      ownEnd.close();
      return {
        id: spec.id,
        ...(spec.name === undefined ? {} : { name: spec.name }),
        status: 'RUNNING',
        reason: 'exit',
        exitCode: null,
        signal: null,
        network: spec.network,
        ...(address === undefined ? {} : { address }),
        startedAt,
        endedAt: '',
        pid: initPid,
      };
    }
    const stop = hooks.signal
      ? AbortSignal.any([hooks.signal, readiness.stopSignal])
      : readiness.stopSignal;
    const ran = await superviseJob({
      target: { cgroup: cgroup.value, initPid },
      exited: proc.exited,
      graceMs: spec.stopGraceMs ?? options.graceMs ?? DEFAULT_GRACE_MS,
      ...(spec.stopSignal === undefined ? {} : { stopSignal: spec.stopSignal }),
      ...(spec.timeoutMs === undefined ? {} : { timeoutMs: spec.timeoutMs }),
      signal: stop,
      ...(hooks.killSignal === undefined ? {} : { killSignal: hooks.killSignal }),
      onWatching: () => {
        hooks.onStarted?.({
          pid: initPid,
          ...(address === undefined ? {} : { address }),
          readyToExecMs: started.readyToExecMs,
          initWaited: started.initWaited,
        });
        readiness.start(db, spec.id, { pid: initPid, env }, (info) => hooks.onReady?.(info));
      },
    });
    const notReady = readiness.notReady;
    const stopRequested =
      (ran.stopRequested && notReady === undefined) ||
      (getJob(db, spec.id)?.stopRequestedAt ?? null) !== null;
    return await end(
      {
        ...observed(ran.exit),
        ...(notReady === undefined ? {} : { notReady }),
        stopRequested,
        timedOut: ran.timedOut,
        oomKills: oomKills(cgroup.value),
      },
      { startedAt },
    );
  } catch (error) {
    return await end({
      reason: 'start-failed',
      message: `rnx failed while running the job: ${(error as Error).message}`,
    });
  }
}

function observed(exit: { code: number | null; signal: string | null }): Observed {
  return {
    code: exit.code,
    signal: exit.signal,
    stopRequested: false,
    timedOut: false,
    oomKills: 0,
  };
}
