/**
 * Turns a mount plan into what the job's init (PID 1, inside its private mount namespace) runs
 * before it waits for the go signal: a few shell lines, and fstab files for runs of mounts so that
 * one `mount -a -T FILE` process makes them all (a `mount` process costs about 1.4 ms here; a job
 * needs a dozen mounts). Every path is single-quoted in the lines and octal-escaped in the fstab
 * files: no user string reaches a shell or the fstab parser unescaped. Tools run with a fixed PATH.
 */
import type { MountStep } from './mount-plan.js';

/** Exit status of init when the job's filesystem could not be set up (the command never ran). */
export const FILESYSTEM_SETUP_EXIT = 125;

const TOOLS = 'PATH=/usr/sbin:/usr/bin:/sbin:/bin';

export interface InitFilesystem {
  /** Shell lines for init, one command each, in order; the caller reports a failing line. */
  readonly lines: readonly string[];
  /** fstab files the lines read: write them before the job starts. */
  readonly files: readonly { readonly path: string; readonly content: string }[];
}

/** Single-quotes a string for POSIX sh. */
export function shellQuote(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

/** Escapes an fstab field the way the kernel writes mountinfo (space, tab, newline, backslash). */
export function fstabField(value: string): string {
  return value.replace(/[ \t\n\\]/g, (c) => `\\${c.charCodeAt(0).toString(8).padStart(3, '0')}`);
}

type MountLike = Extract<MountStep, { kind: 'mount' | 'bind' }>;

function fstabLine(step: MountLike): string {
  const [source, type, options] =
    step.kind === 'mount'
      ? [step.source, step.type, step.options]
      : [step.source, 'none', bindOptions(step).join(',')];
  return [source, step.target, type, options].map(fstabField).join(' ') + ' 0 0';
}

function bindOptions(step: Extract<MountStep, { kind: 'bind' }>): string[] {
  return [
    step.recursive ? 'rbind' : 'bind',
    ...(step.readOnly ? ['ro'] : []),
    ...(step.makeTarget === true ? ['X-mount.mkdir'] : []),
  ];
}

function mountCommand(step: MountLike): string {
  const q = shellQuote;
  if (step.kind === 'mount') {
    return `${TOOLS} mount -t ${q(step.type)} -o ${q(step.options)} ${q(step.source)} ${q(step.target)}`;
  }
  const [flag, ...options] = bindOptions(step);
  const o = options.length > 0 ? ` -o ${options.join(',')}` : '';
  return `${TOOLS} mount --${String(flag)}${o} ${q(step.source)} ${q(step.target)}`;
}

/**
 * Renders the steps. A run of two or more mounts becomes one fstab file (named by `fstabPath`)
 * mounted with `mount -a -T`, in file order.
 */
export function renderMountSteps(
  steps: readonly MountStep[],
  fstabPath: (index: number) => string,
): InitFilesystem {
  const lines: string[] = [];
  const files: { path: string; content: string }[] = [];
  let run: MountLike[] = [];
  const flush = (): void => {
    if (run.length === 1 && run[0] !== undefined) lines.push(mountCommand(run[0]));
    if (run.length > 1) {
      const path = fstabPath(files.length);
      files.push({ path, content: `${run.map(fstabLine).join('\n')}\n` });
      // -c: the paths are absolute and canonical already; libmount need not resolve them again.
      lines.push(`${TOOLS} mount -c -a -T ${shellQuote(path)}`);
    }
    run = [];
  };
  for (const step of steps) {
    if (step.kind === 'mount' || step.kind === 'bind') {
      run.push(step);
      continue;
    }
    flush();
    switch (step.kind) {
      case 'mkdir':
        lines.push(`${TOOLS} mkdir -p ${step.paths.map(shellQuote).join(' ')}`);
        break;
      case 'file':
        lines.push(`true > ${shellQuote(step.path)}`);
        break;
      case 'pivot':
        // pivot_root . . stacks the old root (the host's) on top of the new one; umount -l .
        // detaches it, so nothing of the host stays reachable. That umount is the new root's own.
        lines.push(
          `cd ${shellQuote(step.root)} && ${TOOLS} pivot_root . . && ${TOOLS} umount -l .`,
        );
        break;
      case 'chdir':
        lines.push(`cd ${shellQuote(step.path)}`);
        break;
    }
  }
  flush();
  return { lines, files };
}

/** The lines as a standalone script that stops at the first failure with FILESYSTEM_SETUP_EXIT. */
export function standaloneScript(init: InitFilesystem): string {
  const fail = (what: string): string =>
    `{ echo ${shellQuote(`rnx: job filesystem: failed: ${what}`)} >&2; exit ${String(FILESYSTEM_SETUP_EXIT)}; }`;
  return init.lines
    .map((line) => `${line} || ${fail(line.replaceAll(`${TOOLS} `, ''))}\n`)
    .join('');
}
