/**
 * A job's whole setup as one command line of bubblewrap's options, which both sandbox programs
 * read (sandbox/sandbox-program.ts): rnx-sandbox (rnx's own, the default) and bwrap. The
 * namespaces (PID, mount, network, IPC, UTS), the hostname, the job's filesystem (mount-plan.ts),
 * then the final step (final-exec.ts): rnx-sandbox takes the capabilities and user as options of
 * its own (`--caps`, `--uid`...), bwrap execs `setpriv` for them. Either sets everything up in one
 * process that becomes the job's PID 1 (`--as-pid-1`: no extra init; as for any PID 1 the kernel
 * delivers only the signals it has a handler for, SIGKILL aside). `--new-session` puts the job in
 * its own session, `--die-with-parent` takes the job down with rnx (a later rnx cleans up its
 * records), and the program brings the job's loopback up itself.
 *
 * The start protocol uses three more fds, each for one thing, typed JSON (bwrap's, which
 * rnx-sandbox writes the same), never text on stderr: `--info-fd` (the child's host pid, once the
 * namespaces exist), `--block-fd` (the go: the child waits for one byte, with its sandbox made,
 * before the final step; rnx wires the network and joins the cgroups meanwhile),
 * `--json-status-fd` (the exit status, written only when the command was exec'd, so "setup
 * failed" and "the command exited" are told apart as data).
 */
import { fsStepArgs, type FsStep } from '../filesystem/mount-plan.js';
import { asTheJob, sandboxCredentialArgs, type FinalExec } from './final-exec.js';

/** Where the protocol fds sit in bwrap (fd 4 is a detached job's supervisor's end FIFO). */
export const PROTOCOL_FDS = { info: 3, block: 5, status: 6 } as const;

export interface SandboxPlan {
  /**
   * Which program reads these arguments (sandbox/sandbox-program.ts): bwrap execs setpriv for the
   * final step; rnx-sandbox takes that step's settings as options of its own.
   */
  readonly program: 'rnx-sandbox' | 'bwrap';
  readonly hostname: string;
  readonly fs: readonly FsStep[];
  readonly final: FinalExec;
  /** How setpriv is run (final-exec.ts: setprivLauncher); its binds are in `fs`. */
  readonly setpriv: readonly string[];
  readonly command: string;
  readonly args: readonly string[];
  /**
   * The protocol fds: all three (a job in the foreground), no status fd (a detached job: its
   * supervisor gets bwrap's status), or none (the job runs at once: filesystem tests).
   */
  readonly protocol: 'foreground' | 'detached' | 'none';
  /** rnx-sandbox's cgroup options, when it owns the job's cgroups (sandbox-cgroups.ts). */
  readonly cgroups?: readonly string[];
  /**
   * The job's address on its network: rnx-sandbox's job configures its eth0 itself after the go
   * (`--eth0`); with bwrap, phase 2 runs ip in the job's namespace for it (networks/attach.ts).
   */
  readonly eth0?: {
    readonly address: string;
    readonly prefixLength: number;
    readonly gateway: string;
  };
}

/** The namespaces every job gets. */
export const NAMESPACE_ARGS: readonly string[] = [
  '--unshare-pid',
  '--unshare-net',
  '--unshare-ipc',
  '--unshare-uts',
];

export function sandboxArgs(plan: SandboxPlan): string[] {
  const fd = (n: number): string => String(n);
  return [
    ...NAMESPACE_ARGS,
    '--hostname',
    plan.hostname,
    '--die-with-parent',
    '--as-pid-1',
    '--new-session',
    ...(plan.protocol === 'none'
      ? []
      : ['--info-fd', fd(PROTOCOL_FDS.info), '--block-fd', fd(PROTOCOL_FDS.block)]),
    ...(plan.protocol === 'foreground' ? ['--json-status-fd', fd(PROTOCOL_FDS.status)] : []),
    ...(plan.program === 'rnx-sandbox' ? (plan.cgroups ?? []) : []),
    ...(plan.program === 'rnx-sandbox' && plan.eth0 !== undefined
      ? ['--eth0', `${plan.eth0.address}/${String(plan.eth0.prefixLength)}`, plan.eth0.gateway]
      : []),
    ...fsStepArgs(plan.fs),
    ...(plan.program === 'rnx-sandbox'
      ? [...sandboxCredentialArgs(plan.final), '--', plan.command, ...plan.args]
      : ['--', ...asTheJob(plan, [plan.command, ...plan.args])]),
  ];
}
