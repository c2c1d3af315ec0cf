/**
 * The kernel's floor of a job's sandbox, for the engine benchmark: bench/sandbox-floor.c, a small
 * C program doing in one process what rnx's bwrap + setpriv command line does (the same
 * namespaces, the same mount plan, the same capabilities; see its header), compiled into the
 * benchmark's scratch directory when a C compiler is there. Against bwrap + setpriv running the
 * same plan, it shows what bubblewrap's way of doing the work costs on top of the work itself.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../test/helpers/cli.js';
import type { JobSandbox } from './job-sandbox.js';

export interface CompiledFloor {
  /** Runs the sandbox's plan and command through the compiled program. */
  argv(sandbox: JobSandbox): string[];
}

/** Compiles the program into `dir`; undefined (with the reason printed) when it cannot. */
export function compiledFloor(dir: string): CompiledFloor | undefined {
  const program = join(dir, 'sandbox-floor');
  // Each job mounts a tmpfs here in its own mount namespace: the host sees it stay empty.
  const root = join(dir, 'sandbox-floor-root');
  try {
    execFileSync('cc', ['-O2', '-o', program, join(REPO_ROOT, 'bench', 'sandbox-floor.c')], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
  } catch (error) {
    const why = (error as Error).message.split('\n')[0] ?? '';
    console.log(`  (no compiled floor: cc failed: ${why})`);
    return undefined;
  }
  mkdirSync(root);
  // A kernel without mount_setattr (before 5.12) or namespaces fails here, not mid-benchmark.
  const smoke =
    '--ro-bind /usr /usr --symlink usr/bin /bin --symlink usr/lib /lib --symlink usr/lib64 /lib64';
  try {
    execFileSync(program, [root, ...smoke.split(' '), '--', 'true'], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
  } catch (error) {
    const why = (error as Error).message.split('\n')[0] ?? '';
    console.log(`  (no compiled floor: it cannot run here: ${why})`);
    return undefined;
  }
  return {
    argv(sandbox) {
      const end = sandbox.argv.indexOf('--');
      return [program, root, ...sandbox.argv.slice(1, end), '--', ...sandbox.command];
    },
  };
}
