/**
 * runJob: one job, start to end. Records it, leases its address (phase 1), prepares its files,
 * filesystem and cgroup, starts it in bubblewrap blocked before its command, joins its cgroups and
 * wires its network with PID 1's pid (phase 2), lets it run, streams its output, stops it on
 * request or timeout. Everything acquired for the job is pushed on one undo stack as it is
 * acquired and released in reverse order however the job ended; the veth is left to the kernel
 * (it goes with the job's network namespace) and deleted off the path that reports the end.
 * The engine and `rnx job run` both call this; it knows nothing of workflows.
 */
import { sharedDatabase, stateDir as defaultStateDir, type Database } from '../state/database.js';
import type { CgroupLayout } from './cgroups/layout.js';
import { createJobCgroup, oomKills, planJobCgroup, type JobCgroup } from './cgroups/job-cgroup.js';
import { cgroupProblem, sandboxCgroupArgs, sandboxMade } from './cgroups/sandbox-cgroups.js';
import { metricsOf } from './cgroups/metrics.js';
import { ok, type Problem, type Result } from '../problem.js';
import type { Exit } from './start/job-process.js';
import { warmCgroupMoves } from './cgroups/procs.js';
import { prepareJobFilesystem } from './filesystem/job-filesystem.js';
import { logPathOf, returnKeptFifos, runDirOf, writeJobFiles } from './filesystem/job-files.js';
import { withExtraSteps } from './filesystem/mount-plan.js';
import { resolveCapabilities } from './start/capabilities.js';
import { setprivLauncher, type AsTheJob } from './start/final-exec.js';
import {
  grantedCapabilities,
  hostProblemAfterFailedStart,
  jobRequirements,
} from './start/host-check.js';
import { toolUsesOfJob } from '../host-tools.js';
import { checkJobEnvNames } from '../loader-env.js';
import { jobUserOf } from './start/job-user.js';
import { chownTree } from './filesystem/ownership.js';
import { BASE_PATH, jobEnvironment, jobHostname } from './start/job-env.js';
import { startJobProcess } from './start/job-process.js';
import type { Spawner } from './start/spawner.js';
import { handshake } from './start/handshake.js';
import { goFifo } from './start/go-fifo.js';
import { outputPipes } from './start/output-pipes.js';
import { commandExists } from './start/resolve-command.js';
import { sandboxArgs } from './start/sandbox-args.js';
import {
  attachNetwork,
  closeJobSide,
  ensureOnHost,
  prepareNetwork,
  readyJobSide,
  releaseNetworkSoon,
} from './start/network-phase.js';
import type { Observed } from './end/outcome.js';
import type { JobResult, JobSpec } from './job-spec.js';
import {
  markRunning,
  recordResources,
  recordRunAs,
  isStopRequested,
  type Usage,
} from './records/job-store.js';
import { insertUniquelyNamed, refreshNetworkNames } from './filesystem/network-names.js';
import {
  detachedOutputFifo,
  handOver,
  supervisorFor,
  type DetachOptions,
} from './detach/start-detached.js';
import { awaitDetachedReady, resultOfRecord } from './detach/ready-detached.js';
import { holdEnd, removeEndFifo, type HeldEnd } from './records/end-signal.js';
import { processStartTime, selfIdentity } from './records/proc-identity.js';
import { JobOutput } from './output/job-output.js';
import type { OutputFlow } from './output/output-flow.js';
import { maskSecrets } from './output/redact.js';
import {
  emptyCgroup,
  finishRun,
  reap,
  removeAfterEnd,
  type AfterEnd,
  type Failure,
} from './end/run-end.js';
import { removeLater } from './end/removals.js';
import { releasedJob } from './records/job-store.js';
import { DEFAULT_GRACE_MS } from './end/stop-defaults.js';
import { superviseJob } from './end/supervise.js';
import { JobReadiness, type ReadyInfo } from './readiness/job-readiness.js';

export interface StartedInfo {
  /** Host pid of the job's PID 1 (its command). */
  readonly pid: number;
  readonly address?: string;
}

export interface RunHooks {
  readonly onStdout?: (chunk: Buffer) => void;
  readonly onStderr?: (chunk: Buffer) => void;
  readonly onStarted?: (info: StartedInfo) => void;
  /** The job's readiness probe passed (jobs with `ready` only). */
  readonly onReady?: (info: ReadyInfo) => void;
  /** The job's log stopped (its file system full): the job runs on; said once. */
  readonly onLogStopped?: (why: string) => void;
  /**
   * The job's output is not read while where the hooks write it is full (output/output-flow.ts):
   * the job's writes wait instead of rnx queueing its output.
   */
  readonly outputFlow?: OutputFlow;
  /** A file descriptor the job reads as its standard input, passed as is (default /dev/null). */
  readonly stdin?: number;
  /** Aborting stops the job gracefully: SIGTERM to all, grace period, SIGKILL. */
  readonly signal?: AbortSignal;
  /** Aborting kills the whole job at once. */
  readonly killSignal?: AbortSignal;
  /**
   * The job's turn to run (a workflow's concurrency slot): asked once the job's sandbox is made,
   * just before the go, or, for a job on a network, before its address is leased. False: it ends
   * without its command having run, reason `stopped`.
   */
  readonly slot?: () => Promise<boolean>;
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
   * Run the job detached (see detach/): it runs on under a small supervisor once it has started,
   * and runJob returns a RUNNING result at once.
   */
  readonly detach?: DetachOptions;
  /** Spawn foreground jobs from this spawner process (start/spawner.ts) instead of from rnx. */
  readonly spawner?: Spawner;
}

export const DEFAULT_SETUP_TIMEOUT_MS = 10_000;

/** A start that failed on a host lacking what jobs need says so (host-check.ts), with the fix. */
function explained(failure: Failure): Failure {
  if (failure.reason !== 'start-failed') return failure;
  const host = hostProblemAfterFailedStart();
  return host === undefined ? failure : { reason: 'start-failed', problem: host };
}

export async function runJob(
  spec: JobSpec,
  hooks: RunHooks = {},
  options: RunnerOptions = {},
): Promise<JobResult> {
  const dir = options.stateDir ?? defaultStateDir();
  const db = options.db ?? sharedDatabase(dir);
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
  // Waiters (rnx job wait / stop) wake when this process lets go of the job: held once bwrap is
  // spawned (see below).
  let ownEnd: HeldEnd | undefined;
  // What the job holds, undone in reverse order once it ended; what could not be undone is said
  // in the job's final record.
  const undo = new AsyncDisposableStack();
  const leftovers: string[] = [];
  const onEnd = (release: () => Promise<string | undefined | void> | string | undefined | void) =>
    undo.defer(async () => {
      try {
        const problem = await release();
        if (typeof problem === 'string') leftovers.push(problem);
      } catch (error) {
        leftovers.push((error as Error).message);
      }
    });
  onEnd(() => output.close());
  // Directories only this job used, removed once its end is recorded (see end/removals.ts).
  const afterEnd: AfterEnd = {};
  // How the sandbox program ended, once it was started (with rnx-sandbox's cgroup report).
  let sandboxExit: Promise<Exit> | undefined;
  // What the job used, read once it ended.
  let usage: Usage | undefined;
  const end = async (
    outcome: Observed | Failure,
    extra: { startedAt?: string } = {},
  ): Promise<JobResult> => {
    readiness.cancel();
    try {
      await undo.disposeAsync();
      // A start process that outlived its kill may still hold the job's FIFOs.
      if (leftovers.length > 0) delete afterEnd.reuse;
      const stopped = output.logStopped;
      const held = Object.keys(afterEnd).length > 0;
      let result: JobResult;
      try {
        result = finishRun(db, spec, leftovers, outcome, {
          ...extra,
          ...(usage === undefined ? {} : { usage }),
          ...(stopped === undefined ? {} : { note: `its log stopped early: ${stopped}` }),
          held,
        });
      } catch (error) {
        // No record (a full state directory): nothing of the job may stay on the host meanwhile;
        // the next rnx finishes the record.
        await removeAfterEnd(db, spec.id, afterEnd).catch(() => undefined);
        throw error;
      }
      if (held) {
        removeLater(async () => {
          const problems = await removeAfterEnd(db, spec.id, afterEnd);
          try {
            releasedJob(db, spec.id, problems);
          } catch {
            // The database went away (closed by its caller, a full disk): the job stays held and
            // the next rnx finishes it.
          }
        });
      }
      return result;
    } finally {
      ownEnd?.close();
    }
  };
  try {
    // Checked where every job passes (flags, workflows, env files): see loader-env.ts.
    const safeEnv = checkJobEnvNames([...Object.keys(spec.env), ...Object.keys(spec.secretEnv)]);
    if (!safeEnv.ok) return await end({ reason: 'start-failed', problem: safeEnv.problem });
    const tools = jobRequirements(toolUsesOfJob(spec, options.detach !== undefined));
    if (!tools.ok) return await end({ reason: 'start-failed', problem: tools.problem });
    // rnx-sandbox owns a foreground job's cgroups (cgroups/sandbox-cgroups.ts): made, joined,
    // read and removed there, planned here. Otherwise rnx makes them, off its thread from here,
    // while the start goes on; the handshake waits for them, after bwrap said the job's pid.
    // Either way rnx moves itself into its own cgroup again (warmCgroupMoves; `rnx job run` did
    // first, as soon as it knew it runs one job): a move within about 10 ms of the last one skips
    // the RCU grace period (10 to 20 ms here) the job's join waits for otherwise, in front of its go.
    const inSandbox = tools.value.sandbox.kind === 'rnx-sandbox';
    const owned = inSandbox && options.detach === undefined;
    const plan = owned ? planJobCgroup(spec.id, spec.resources, options.cgroupLayout) : undefined;
    if (plan !== undefined && !plan.ok) {
      return await end({ reason: 'start-failed', problem: plan.problem });
    }
    if (plan !== undefined) warmCgroupMoves(dir);
    const cgroupMade: Promise<Result<JobCgroup>> =
      plan !== undefined
        ? Promise.resolve(ok(plan.value.cgroup))
        : createJobCgroup(spec.id, spec.resources, options.cgroupLayout).then((made) => {
            if (made.ok) warmCgroupMoves(dir);
            return made;
          });
    // Removed once the end is recorded, however far the start got, unless rnx-sandbox did.
    onEnd(async () => {
      const made = await cgroupMade;
      if (made.ok && (await sandboxExit)?.cgroup?.removed !== true) afterEnd.cgroup = made.value;
    });
    const user = jobUserOf(db, spec);
    if (!user.ok) return await end({ reason: 'start-failed', problem: user.problem });
    if (user.value !== undefined && spec.user !== undefined) {
      recordRunAs(db, spec.id, { user: spec.user, ...user.value });
    }
    // What the job writes is handed to its user; root's needs nothing.
    const userOwns = user.value !== undefined && user.value.uid !== 0 ? user.value : undefined;
    const capabilities = resolveCapabilities(spec.capabilities);
    if (!capabilities.ok) {
      return await end({ reason: 'start-failed', problem: capabilities.problem });
    }
    const granted = grantedCapabilities(capabilities.value, spec.capabilities?.add ?? []);
    if (!granted.ok) return await end({ reason: 'start-failed', problem: granted.problem });
    // A job on a network takes its turn (a workflow's slot) before its address is leased: a
    // network's addresses are for running jobs (a /30 has one), not for jobs set up ahead. A job
    // on `none` is set up first and waits for its turn with its sandbox made (handshake.ts).
    const turnFirst = spec.network !== 'none';
    if (turnFirst && hooks.slot !== undefined && !(await hooks.slot())) {
      return await end({ reason: 'stopped', message: 'stopped before it started' });
    }
    const prepared = prepareNetwork(db, spec.id, spec.network, {
      pid: owner.pid,
      pidStartTime: owner.startTime,
    });
    if (!prepared.ok) return await end({ reason: 'network-setup', problem: prepared.problem });
    // The host side of the network is ensured while the job starts; phase 2 waits for it.
    const network = ensureOnHost(db, prepared.value);
    onEnd(() => releaseNetworkSoon(db, spec.id, network.hostVeth));
    const address = prepared.value.lease?.address;
    const hostname = jobHostname(spec);
    const runDir = runDirOf(dir, spec.id);
    recordResources(db, spec.id, {
      runDir,
      ...(address === undefined ? {} : { address }),
      ...(prepared.value.hostVeth === undefined ? {} : { veth: prepared.value.hostVeth }),
      // Before rnx-sandbox makes them: a later rnx removes them if this one dies.
      ...(plan === undefined ? {} : { cgroup: plan.value.cgroup }),
    });
    afterEnd.runDir = runDir;
    const files = writeJobFiles(runDir, {
      stateDir: dir,
      hostname,
      ...(address === undefined ? {} : { address }),
      hosts: spec.hosts ?? [],
      hasNetwork: prepared.value.attached,
      ...(address === undefined ? {} : { network: spec.network }),
    });
    // Other running jobs' names into its file; its own name into theirs once it runs (below).
    if (address !== undefined) refreshNetworkNames(db, spec.network, spec.id);
    afterEnd.filesystem = dir;
    const filesystem = await prepareJobFilesystem(db, dir, spec, {
      hostsFile: files.hosts,
      resolvFile: files.resolv,
      ...(userOwns === undefined ? {} : { owner: userOwns }),
    });
    if (!filesystem.ok) {
      return await end(explained({ reason: 'start-failed', problem: filesystem.problem }));
    }
    const env = jobEnvironment(spec, hostname);
    if (!commandExists(filesystem.value.view, spec.command, env['PATH'] ?? BASE_PATH, '/work')) {
      return await end({ ...observed({ code: 127, signal: null }), notFound: spec.command });
    }
    // Before the end is recorded: what it used, and nothing of it left running (removed after,
    // as above).
    onEnd(async () => {
      const made = await cgroupMade;
      if (!made.ok) return;
      const report = (await sandboxExit)?.cgroup;
      // Recorded with the job's end (finishRun), in the same statement.
      usage = report === undefined ? await emptyCgroup(made.value) : metricsOf(report.readings);
    });
    const detached = options.detach;
    // rnx-sandbox's job configures its own eth0 after the go: phase 2 is then the host side alone.
    const eth0InSandbox = inSandbox && prepared.value.attached;
    const launcher = setprivLauncher(tools.value.setpriv, filesystem.value.hostRoot);
    // The job's final step, which its command and its exec probe both go through.
    const asJob: AsTheJob = {
      setpriv: launcher.argv,
      final: {
        capabilities: granted.value,
        ...(user.value === undefined ? {} : { user: user.value }),
      },
    };
    const args = sandboxArgs({
      program: tools.value.sandbox.kind,
      hostname,
      fs: withExtraSteps(filesystem.value.steps, launcher.steps),
      ...asJob,
      command: spec.command,
      args: spec.args,
      protocol: detached === undefined ? 'foreground' : 'detached',
      ...(plan === undefined ? {} : { cgroups: sandboxCgroupArgs(plan.value) }),
      ...(eth0InSandbox && prepared.value.lease !== undefined
        ? { eth0: prepared.value.lease }
        : {}),
    });
    let output$: Parameters<typeof startJobProcess>[0]['output'];
    if (detached === undefined) {
      const pipes = await outputPipes(dir, runDir);
      if (!pipes.ok) return await end({ reason: 'start-failed', problem: pipes.problem });
      const { stdout, stderr } = pipes.value;
      // Reopened by path (/dev/stdout is /proc/self/fd/1), a FIFO checks its owner and mode.
      if (userOwns !== undefined) {
        for (const pipe of [stdout, stderr]) {
          const owned = chownTree(pipe.path, userOwns);
          if (!owned.ok) return await end({ reason: 'start-failed', problem: owned.problem });
        }
      }
      onEnd(() => {
        for (const pipe of [stdout, stderr]) {
          pipe.closeWrite();
          pipe.reader.destroy();
        }
      });
      const go = await goFifo(dir, runDir);
      if (!go.ok) return await end({ reason: 'start-failed', problem: go.problem });
      onEnd(() => go.value.close());
      // Back to the pool at the end, unless handed to another user (fifo-pool.ts checks).
      afterEnd.reuse = { stateDir: dir, fifos: [stdout.path, stderr.path, go.value.path] };
      output$ = {
        stdout,
        stderr,
        onStdout: (chunk) => output.stdout(chunk),
        onStderr: (chunk) => output.stderr(chunk),
        ...(hooks.outputFlow === undefined ? {} : { flow: hooks.outputFlow }),
        go: go.value,
      };
    } else {
      // Its supervisor makes its own go FIFO: the FIFOs a spare run directory kept go back.
      returnKeptFifos(dir, runDir);
      // Its supervisor's reader sends the output to the job's log (masked), while it runs alone.
      const fifo = await detachedOutputFifo(dir, runDir, userOwns);
      if (!fifo.ok) return await end({ reason: 'start-failed', problem: fifo.problem });
      output$ = {
        supervisor: supervisorFor(detached, {
          stateDir: dir,
          jobId: spec.id,
          runDir,
          logPath,
          secrets,
          ...(spec.timeoutMs === undefined ? {} : { timeoutMs: spec.timeoutMs }),
        }),
      };
    }
    const proc = startJobProcess({
      sandbox: tools.value.sandbox.path,
      args,
      env,
      output: output$,
      ...(hooks.stdin === undefined ? {} : { stdin: hooks.stdin }),
      ...(options.spawner === undefined ? {} : { spawner: options.spawner }),
    });
    sandboxExit = proc.exited;
    // Held from here, while bwrap makes the sandbox and rnx's thread waits for it: listening costs
    // that thread about a millisecond (net.Server loads node:cluster). A waiter that comes before
    // finds nobody holding the job's end and looks again (records/wait-end.ts), as it does while a
    // detached job is handed over.
    ownEnd = holdEnd(dir, spec.id);
    // Undone in reverse: the start process first (a detached job's whole supervisor group), then
    // the end FIFO that supervisor made.
    if (detached !== undefined) onEnd(() => removeEndFifo(dir, spec.id));
    onEnd(() => reap(proc));
    // Phase 2's job side waits for the pid, started while bwrap makes the namespaces.
    const wired = readyJobSide(network, eth0InSandbox);
    onEnd(() => closeJobSide(wired));
    const started = await handshake(proc, {
      // Waited for there, after bwrap says the job's pid, not before the spawn: bwrap starts
      // meanwhile, and the cgroups' mkdirs may wait for rnx's move into its own cgroup (above).
      ...(plan !== undefined
        ? {}
        : {
            cgroup: cgroupMade.then((made) => {
              if (made.ok) recordResources(db, spec.id, { cgroup: made.value });
              return made;
            }),
          }),
      ...(prepared.value.attached
        ? { attach: (pid: number) => attachNetwork(wired, spec.id, pid) }
        : {}),
      networkName: spec.network,
      setupTimeoutMs: options.setupTimeoutMs ?? DEFAULT_SETUP_TIMEOUT_MS,
      ...(hooks.slot === undefined || turnFirst ? {} : { slot: hooks.slot }),
      stopRequested: () =>
        isStopRequested(db, spec.id) ||
        (hooks.signal?.aborted ?? false) ||
        (hooks.killSignal?.aborted ?? false),
    });
    if (started.kind === 'failed') {
      // rnx-sandbox said why on the job's stderr, as text: found again here, as a problem.
      let why: Problem | undefined;
      if (
        plan !== undefined &&
        started.failure.reason === 'start-failed' &&
        (await proc.childPid) === undefined
      ) {
        await proc.exited;
        why = await cgroupProblem(spec.id, spec.resources, plan.value, options.cgroupLayout);
      }
      return await end(
        why === undefined ? explained(started.failure) : { reason: 'start-failed', problem: why },
      );
    }
    const made = await cgroupMade;
    if (!made.ok) return await end({ reason: 'start-failed', problem: made.problem });
    const jobCgroup = plan === undefined ? made.value : sandboxMade(plan.value);
    const startedAt = new Date().toISOString();
    const pid = started.pid;
    markRunning(db, spec.id, { pid, startTime: processStartTime(pid) ?? 0 }, startedAt);
    // Found by name from now on: not while it was set up and waited for its turn.
    if (address !== undefined && spec.name !== undefined) refreshNetworkNames(db, spec.network);
    if (detached !== undefined) {
      // The supervisor owns the job from now on, and releases what it holds at its end: this
      // process lets go of the job and of its undo stack.
      handOver(db, spec.id, proc);
      undo.move();
      output.close();
      ownEnd.close();
      const running: JobResult = {
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
        pid,
      };
      if (spec.ready === undefined) return running;
      const ready = await awaitDetachedReady(
        db,
        dir,
        {
          id: spec.id,
          pid,
          env,
          as: asJob,
          sandbox: tools.value.sandbox.path,
          cgroup: jobCgroup,
          logPath,
          ...(spec.stopSignal === undefined ? {} : { stopSignal: spec.stopSignal }),
          graceMs: spec.stopGraceMs ?? options.graceMs ?? DEFAULT_GRACE_MS,
        },
        readiness,
        hooks.signal,
      );
      if (ready.kind === 'ready') {
        hooks.onReady?.(ready.info);
        return running;
      }
      return ready.record === undefined ? running : resultOfRecord(ready.record);
    }
    const stop = hooks.signal
      ? AbortSignal.any([hooks.signal, readiness.stopSignal])
      : readiness.stopSignal;
    const ran = await superviseJob({
      target: { cgroup: jobCgroup, initPid: pid },
      exited: proc.exited,
      graceMs: spec.stopGraceMs ?? options.graceMs ?? DEFAULT_GRACE_MS,
      ...(spec.stopSignal === undefined ? {} : { stopSignal: spec.stopSignal }),
      ...(spec.timeoutMs === undefined ? {} : { timeoutMs: spec.timeoutMs }),
      signal: stop,
      ...(hooks.killSignal === undefined ? {} : { killSignal: hooks.killSignal }),
      onWatching: () => {
        hooks.onStarted?.({ pid, ...(address === undefined ? {} : { address }) });
        readiness.start(
          db,
          spec.id,
          {
            pid,
            env,
            as: asJob,
            cgroupProcs: jobCgroup.procsFiles,
            sandbox: tools.value.sandbox.path,
          },
          (info) => hooks.onReady?.(info),
        );
      },
    });
    const notReady = readiness.notReady;
    const stopRequested =
      (ran.stopRequested && notReady === undefined) || isStopRequested(db, spec.id);
    if (!ran.exit.ran && !stopRequested && !ran.timedOut && notReady === undefined) {
      return await end(
        {
          reason: 'start-failed',
          message: `the job's sandbox could not be set up, the command did not run (${tools.value.sandbox.kind} exited ${String(ran.exit.code ?? ran.exit.signal)}; its reason is in the job's output)`,
        },
        { startedAt },
      );
    }
    return await end(
      {
        ...observed(ran.exit),
        ...(notReady === undefined ? {} : { notReady }),
        stopRequested,
        timedOut: ran.timedOut,
        oomKills:
          ran.exit.cgroup === undefined ? oomKills(jobCgroup) : (ran.exit.cgroup.readings.oom ?? 0),
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
