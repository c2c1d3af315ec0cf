/**
 * Which program sets up a job's sandbox: rnx's own `rnx-sandbox` (rnx-sandbox.c, compiled by
 * `npm run build` beside the bundle), or bubblewrap followed by setpriv. Both take the same
 * command line (start/sandbox-args.ts) and speak the same start protocol; rnx-sandbox sets the
 * capabilities and user itself and makes a read-only bind in one system call, so a job starts in
 * about half the time (README: "The job's sandbox").
 *
 * `RNX_SANDBOX` chooses: unset or empty, rnx-sandbox when it can run here, else bwrap; `bwrap`,
 * always bwrap; `rnx-sandbox`, always rnx-sandbox (a problem when it cannot run); an absolute path,
 * that rnx-sandbox file. rnx-sandbox can run when its file is there, executable, built for this
 * machine's architecture, and the kernel has mount_setattr (Linux 5.12). Decided once per process.
 */
import { accessSync, closeSync, constants, openSync, readSync, statSync } from 'node:fs';
import { release } from 'node:os';
import { fileURLToPath } from 'node:url';
import { fail, ok, type Result } from '../../problem.js';

export type SandboxProgram =
  | { readonly kind: 'rnx-sandbox'; readonly path: string }
  /** `why`: why not rnx-sandbox (for `rnx system check`). */
  | { readonly kind: 'bwrap'; readonly why: string };

/** ELF e_machine of the architectures Node runs on (elf.h). */
const ELF_MACHINES: Readonly<Record<string, number>> = {
  x64: 62,
  arm64: 183,
  ia32: 3,
  arm: 40,
  ppc64: 21,
  s390x: 22,
  riscv64: 243,
  loong64: 258,
};

/** The rnx-sandbox built with this rnx: beside the bundle (or beside this module, in a checkout). */
export function builtSandboxPath(): string {
  return fileURLToPath(new URL('./rnx-sandbox', import.meta.url));
}

/**
 * Why the file at `path` cannot set up jobs here; undefined when it can. A file named in
 * RNX_SANDBOX (`named`) need only be executable: it may be a wrapper that execs rnx-sandbox.
 */
export function unusableBecause(
  path: string,
  named = false,
  kernel = release(),
  arch = process.arch,
): string | undefined {
  const [major = 0, minor = 0] = kernel.split(/[.-]/).map(Number);
  if (major < 5 || (major === 5 && minor < 12)) {
    return `Linux ${kernel} has no mount_setattr (5.12 or newer needed)`;
  }
  let header: Buffer;
  try {
    if (!statSync(path).isFile()) return `${path} is not a file`;
    accessSync(path, constants.X_OK);
    if (named) return undefined;
    const fd = openSync(path, 'r');
    try {
      header = Buffer.alloc(20);
      readSync(fd, header, 0, 20, 0);
    } finally {
      closeSync(fd);
    }
  } catch {
    return `${path} is missing or not executable${named ? '' : ' (not built: no C compiler when rnx was built?)'}`;
  }
  if (header.readUInt32BE(0) !== 0x7f454c46) return `${path} is not an executable (ELF) file`;
  const expected = ELF_MACHINES[arch];
  if (expected !== undefined && header.readUInt16LE(18) !== expected) {
    return `${path} was built for another architecture than ${arch}`;
  }
  return undefined;
}

let chosen: Result<SandboxProgram> | undefined;

/** The program for this process's jobs, from `RNX_SANDBOX` (read once). */
export function sandboxProgram(setting = process.env['RNX_SANDBOX'] ?? ''): Result<SandboxProgram> {
  chosen ??= chooseSandbox(setting);
  return chosen;
}

/** The program a value of RNX_SANDBOX asks for, as this host can give it (not remembered). */
export function chooseSandbox(setting: string): Result<SandboxProgram> {
  if (setting === 'bwrap') return ok({ kind: 'bwrap', why: 'RNX_SANDBOX=bwrap' });
  if (setting !== '' && setting !== 'rnx-sandbox' && !setting.startsWith('/')) {
    return fail(
      'usage',
      `RNX_SANDBOX=${setting}: not a sandbox program`,
      'set it to bwrap, rnx-sandbox or the absolute path of an rnx-sandbox file, or unset it (rnx-sandbox where it can run, else bwrap)',
    );
  }
  const named = setting.startsWith('/');
  const path = named ? setting : builtSandboxPath();
  const why = unusableBecause(path, named);
  if (why === undefined) return ok({ kind: 'rnx-sandbox', path });
  if (setting === '') return ok({ kind: 'bwrap', why: `rnx-sandbox cannot run: ${why}` });
  return fail(
    'host-missing',
    `RNX_SANDBOX=${setting}, but rnx-sandbox cannot run: ${why}`,
    'build rnx where a C compiler (cc) is installed (npm run build), or unset RNX_SANDBOX to use bwrap',
  );
}
