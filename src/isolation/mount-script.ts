/**
 * Turns a mount plan into the shell lines the job's init (PID 1, inside its private mount
 * namespace) runs before it waits for the go signal. Every path is single-quoted; no user string
 * reaches the shell unquoted. Tools run with a fixed PATH (the job's own PATH is restored after),
 * and any failure ends init with FILESYSTEM_SETUP_EXIT and a message on stderr.
 */
import type { MountStep } from './mount-plan.js';

/** Exit status of init when the job's filesystem could not be set up (the command never ran). */
export const FILESYSTEM_SETUP_EXIT = 125;

const TOOL_PATH = '/usr/sbin:/usr/bin:/sbin:/bin';

/** Single-quotes a string for POSIX sh. */
export function shellQuote(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

function command(step: MountStep): { line: string; what: string } {
  const q = shellQuote;
  switch (step.kind) {
    case 'mount':
      return {
        line: `mount -t ${q(step.type)} -o ${q(step.options)} ${q(step.source)} ${q(step.target)}`,
        what: `mount ${step.type} on ${step.target}`,
      };
    case 'bind': {
      const flag = step.recursive ? '--rbind' : '--bind';
      const options = step.readOnly ? ' -o ro' : '';
      return {
        line: `mount ${flag}${options} ${q(step.source)} ${q(step.target)}`,
        what: `bind ${step.source} on ${step.target}`,
      };
    }
    case 'mkdir':
      return { line: `mkdir -p ${step.paths.map(q).join(' ')}`, what: 'create mount points' };
    case 'file':
      return { line: `true > ${q(step.path)}`, what: `create ${step.path}` };
    case 'pivot':
      // pivot_root . . stacks the old root on top of the new one; umount -l . detaches it, so
      // nothing of the host stays reachable. umount is the new root's own.
      return {
        line: `cd ${q(step.root)} && pivot_root . . && umount -l .`,
        what: 'pivot_root into the job root',
      };
    case 'chdir':
      return { line: `cd ${q(step.path)}`, what: `enter ${step.path}` };
  }
}

/** The init lines for a plan, failing fast with a message naming the step that failed. */
export function renderMountScript(steps: readonly MountStep[]): string {
  const lines = [
    `rnx_fs_fail() { echo "rnx: job filesystem: could not $1" >&2; exit ${String(FILESYSTEM_SETUP_EXIT)}; }`,
    'rnx_saved_path=${PATH-}; rnx_had_path=${PATH+1}',
    `PATH=${TOOL_PATH}`,
  ];
  for (const step of steps) {
    const { line, what } = command(step);
    lines.push(`${line} || rnx_fs_fail ${shellQuote(what)}`);
  }
  lines.push('if [ -n "$rnx_had_path" ]; then PATH=$rnx_saved_path; else unset PATH; fi');
  lines.push('unset rnx_saved_path rnx_had_path');
  return `${lines.join('\n')}\n`;
}
