/**
 * Phase 2 of wiring a job: once its process exists, give its network namespace an `eth0` on the
 * network's bridge. Two processes, at the same time:
 *   1. host: rnx's own `ip -batch` (ip-session.ts: one ip for all of rnx's jobs, started in phase 1)
 *      creates the veth pair with the peer made directly inside the job's namespace as eth0
 *      (`peer name eth0 netns PID`), the host end enslaved to the bridge and up in the same request
 *      (plus an isolated port for the `isolated` network);
 *   2. job: with rnx-sandbox, the job's PID 1 itself once it has its go (`--eth0`, interfaces.c:
 *      no process at all); with bwrap, `nsenter --net=/proc/PID/ns/net ip -batch -` adds the
 *      address, brings eth0 up and adds the default route via the gateway. It is started ahead
 *      (startJobSide: a shell that waits for the pid, then becomes nsenter, then ip), so that the
 *      fork of rnx it costs is off the path from the pid to the go; given the pid it loads while
 *      the host side makes the veth, and its batch is written once eth0 exists. Not lo: bwrap
 *      brings it up itself, at the same time (its RTM_NEWADDR of 127.0.0.1 is exclusive, and
 *      fails with EEXIST when `ip link set lo up` came first and the kernel had already given lo
 *      that address: the job then failed to start, `bwrap: loopback: Failed RTM_NEWADDR`, now and
 *      then under load).
 * The caller has leased the address (phase 1) and, normally, ensured the network on the host
 * (ensureNetworkOnHost); a bridge that is missing all the same is set up here first.
 *
 * The veth needs no deleting when the job ends: the kernel removes both ends with the job's network
 * namespace once its last process is gone. releaseJobVeth waits for that and deletes it only when it
 * is still there after a while (something else holds the namespace).
 */
import { monotonicMs } from '../clock.js';
import { checkedOutput, runTool, startTool, type StartedTool } from '../exec.js';
import { toolPath } from '../host-tools.js';
import { fail, ok, type Problem, type Result } from '../problem.js';
import { bridgeExists, interfaceNames } from './bridge.js';
import { setUpOnHost } from './host.js';
import { ipBatch } from './ip-session.js';
import { vethName } from './names.js';
import type { Lease, Network } from './types.js';

export interface AttachRequest {
  readonly lease: Lease;
  readonly network: Network;
  /** Pid (in rnx's pid namespace) of a process inside the job's network namespace. */
  readonly pid: number;
  readonly jobId: string;
  /**
   * The job's side, started ahead (startJobSide); started now when absent. `in-sandbox`: the job's
   * PID 1 configures eth0 itself once it has its go (rnx-sandbox's `--eth0`, interfaces.c), so
   * phase 2 is the host side alone.
   */
  readonly jobSide?: JobSide | 'in-sandbox';
}

/** The job's side of phase 2, waiting for the job's pid (see startJobSide). */
export interface JobSide {
  readonly tool: StartedTool;
  /** What it runs once it has the pid, for messages. */
  readonly args: readonly string[];
}

/**
 * `sh -c SCRIPT rnx-job-side NSENTER IP`: reads one line, the job's pid, then becomes
 * `nsenter --net=/proc/PID/ns/net ip -batch -` (one process in all), whose ip reads its batch
 * from the rest of the same pipe (the shell reads its line byte by byte, leaving the rest).
 */
const JOB_SIDE = 'read -r pid && exec "$1" --net="/proc/$pid/ns/net" "$2" -batch -';

/**
 * Starts the job's side ahead of the job's pid: the fork of all of rnx that starting a process
 * costs (2 to 5 ms here) happens then, while bwrap makes the job's namespaces, not between the
 * pid and the go. An end of its input before the pid (a start that failed) ends it, having done
 * nothing.
 */
export function startJobSide(): Result<JobSide> {
  // By the paths rnx found them at, not by the shell's own search of PATH.
  const nsenter = toolPath('nsenter');
  if (!nsenter.ok) return nsenter;
  const ip = toolPath('ip');
  if (!ip.ok) return ip;
  return ok({
    tool: startTool('sh', ['-c', JOB_SIDE, 'rnx-job-side', nsenter.value, ip.value]),
    args: ['--net=/proc/PID/ns/net', ip.value, '-batch', '-'],
  });
}

/** Pure: the host-side batch. */
export function hostBatch(request: AttachRequest, hostVeth: string): string {
  // One netlink request makes the pair, puts the peer in the job's namespace as eth0, enslaves
  // the host end to the bridge and brings it up.
  const lines = [
    `link add name ${hostVeth} master ${request.network.bridge} up type veth peer name eth0 netns ${String(request.pid)}`,
  ];
  if (request.network.mode === 'isolated') {
    lines.push(`link set dev ${hostVeth} type bridge_slave isolated on`);
  }
  return lines.join('\n');
}

/** Pure: the batch run inside the job's network namespace. */
export function jobBatch(lease: Lease): string {
  return [
    `address add ${lease.address}/${String(lease.prefixLength)} broadcast + dev eth0`,
    'link set dev eth0 up',
    `route add default via ${lease.gateway} dev eth0`,
  ].join('\n');
}

export async function attachJob(request: AttachRequest): Promise<Result<{ hostVeth: string }>> {
  if (request.network.mode === 'none') {
    return fail('network-none', "jobs on network 'none' are not attached to any bridge");
  }
  if (!Number.isInteger(request.pid) || request.pid <= 0) {
    throw new Error(`attachJob: invalid pid ${String(request.pid)}`);
  }
  if (!bridgeExists(request.network.bridge)) {
    // The caller normally ensured the network already; a missing bridge (reboot, fresh namespace)
    // is re-created here, rules first, rather than failing the job.
    const ensured = await setUpOnHost(request.network);
    if (!ensured.ok) return ensured;
  }
  const hostVeth = vethName(request.jobId);
  const wireFailed = (problem: Problem) =>
    undone(hostVeth, problem, `could not wire job ${request.jobId}`);
  if (request.jobSide === 'in-sandbox') {
    const made = await ipBatch(hostBatch(request, hostVeth), hostVeth);
    return made.ok ? ok({ hostVeth }) : wireFailed(made.problem);
  }
  const side = request.jobSide === undefined ? startJobSide() : ok(request.jobSide);
  if (!side.ok) return side;
  const inside = side.value.tool;
  // The host's request, then the pid to the job's side, which enters the job's namespace and
  // loads ip while the host side makes the veth, then waits for its batch.
  const host = ipBatch(hostBatch(request, hostVeth), hostVeth);
  inside.write(`${String(request.pid)}\n`);
  const made = await host;
  if (!made.ok) {
    // The job's side ends on an empty batch, having done nothing.
    inside.finish('');
    return wireFailed(made.problem);
  }
  inside.finish(jobBatch(request.lease));
  const configured = checkedOutput('nsenter', side.value.args, await inside.done);
  if (!configured.ok) {
    return undone(hostVeth, configured.problem, `could not configure job ${request.jobId}`);
  }
  return ok({ hostVeth });
}

/** A step of phase 2 failed: the veth goes; a missing tool is said as such, anything else as `what`. */
async function undone(hostVeth: string, problem: Problem, what: string): Promise<Result<never>> {
  await detachJob(hostVeth);
  return problem.code === 'tool-missing'
    ? { ok: false, problem }
    : fail('attach-failed', `${what}: ${problem.message}`);
}

/** Removes a job's veth pair (its other end vanishes with it). Idempotent. */
export async function detachJob(hostVeth: string): Promise<void> {
  await runTool('ip', ['link', 'del', 'dev', hostVeth]);
}

/** How long the kernel gets to remove a job's veth by itself (usually well under 1 ms here). */
const VETH_GRACE_MS = 2000;

/**
 * Once the job's processes are gone: waits (checking /proc/net/dev at growing intervals, at most
 * VETH_GRACE_MS) for the kernel to remove the veth with the job's network namespace, and deletes
 * it only if it is still there. Resolves true when the kernel removed it (no process spawned).
 */
export async function releaseJobVeth(hostVeth: string): Promise<boolean> {
  const began = monotonicMs();
  for (let wait = 1; ; wait = Math.min(wait * 2, 100)) {
    if (!interfaceNames().includes(hostVeth)) return true;
    const left = VETH_GRACE_MS - (monotonicMs() - began);
    if (left <= 0) break;
    await new Promise((resolve) => setTimeout(resolve, Math.min(wait, left)));
  }
  await detachJob(hostVeth);
  return false;
}
