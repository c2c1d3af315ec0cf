/**
 * The last step of a job's start, after the sandbox is set up and the go has come: `setpriv`
 * replaces itself with the job's command, having set the capability sets. It is the one place
 * that says who the command runs as: today root with the job's capabilities in the bounding and
 * inheritable sets (for root, the kernel then grants the bounding set as permitted and
 * effective), no ambient ones (a program switching to another user keeps nothing, like Docker).
 * A user switch is one more option here (`user`), turned into setpriv's own flags. Whatever else
 * rnx runs inside a job (the exec readiness probe) goes through the same step (asTheJob).
 */
import { realpathSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import type { FsStep } from '../filesystem/mount-plan.js';
import { capabilityMask, type Capability } from './capabilities.js';

export interface JobUser {
  readonly uid: number;
  readonly gid: number;
  /** Supplementary groups (job-user.ts computes them as initgroups(3) would). */
  readonly groups: readonly number[];
}

export interface FinalExec {
  readonly capabilities: readonly Capability[];
  /** Absent: root. */
  readonly user?: JobUser;
}

function capList(caps: readonly Capability[]): string {
  return ['-all', ...caps.map((cap) => `+${cap.toLowerCase()}`)].join(',');
}

/** setpriv's arguments, up to and including the `--` before the command. */
export function setprivArgs(final: FinalExec): string[] {
  const caps = capList(final.capabilities);
  // no_new_privs as bwrap leaves the job (set again for a command that enters it: the probe).
  const args = [
    `--inh-caps=${caps}`,
    '--ambient-caps=-all',
    `--bounding-set=${caps}`,
    '--no-new-privs',
  ];
  if (final.user !== undefined) {
    const { uid, gid, groups } = final.user;
    args.push(`--reuid=${String(uid)}`, `--regid=${String(gid)}`);
    if (groups.length === 0) args.push('--clear-groups');
    else args.push(`--groups=${groups.map(String).join(',')}`);
  }
  args.push('--');
  return args;
}

/**
 * rnx-sandbox's arguments for the same final step (it sets the sets and the user itself, with no
 * exec of setpriv): the capabilities as one hexadecimal mask, the user as numbers.
 */
export function sandboxCredentialArgs(final: FinalExec): string[] {
  const args = ['--caps', capabilityMask(final.capabilities)];
  if (final.user !== undefined) {
    const { uid, gid, groups } = final.user;
    args.push('--uid', String(uid), '--gid', String(gid), '--groups', groups.map(String).join(','));
  }
  return args;
}

/** How a command runs as the job's own command does, inside the job's root. */
export interface AsTheJob {
  /** setpriv as started in the job's root (Launcher.argv). */
  readonly setpriv: readonly string[];
  readonly final: FinalExec;
}

/** The argv that runs `command` under the job's final step: its capability sets, its user. */
export function asTheJob(how: AsTheJob, command: readonly string[]): string[] {
  return [...how.setpriv, ...setprivArgs(how.final), ...command];
}

/** Where the host's setpriv and the libraries it needs are bound in a runtime job. */
const RUNTIME_TOOLS = '/dev/.rnx';

const LOADERS = ['/lib64/ld-linux-x86-64.so.2', '/lib/ld-linux-aarch64.so.1'];

export interface Launcher {
  /** Binds the sandbox adds (after /dev is made). */
  readonly steps: readonly FsStep[];
  /** What bwrap executes, before setpriv's own arguments. */
  readonly argv: readonly string[];
}

/**
 * How setpriv is started in the job. On the host's root it is there already. A runtime's tree
 * may have no setpriv (or no libc): the host's setpriv, its dynamic loader's directory (libc,
 * libcap-ng) are bound read-only under /dev/.rnx and setpriv is run through that loader; the
 * command it then executes is loaded by the runtime's own loader, from the runtime's libraries.
 */
export function setprivLauncher(setpriv: string, onHostRoot: boolean): Launcher {
  if (onHostRoot) return { steps: [], argv: [setpriv] };
  const loader = LOADERS.map((path) => {
    try {
      return realpathSync(path);
    } catch {
      return undefined;
    }
  }).find((path) => path !== undefined);
  if (loader === undefined) return { steps: [], argv: [setpriv] };
  const libs = `${RUNTIME_TOOLS}/lib`;
  return {
    steps: [
      { kind: 'ro-bind', source: dirname(loader), target: libs },
      { kind: 'ro-bind', source: realpathSync(setpriv), target: `${RUNTIME_TOOLS}/setpriv` },
    ],
    argv: [`${libs}/${basename(loader)}`, '--library-path', libs, `${RUNTIME_TOOLS}/setpriv`],
  };
}
