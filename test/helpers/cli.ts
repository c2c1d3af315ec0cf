/** Test rigs: a fresh state directory per test and a way to run the built CLI as a user would. */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const RNX_BIN = join(REPO_ROOT, 'bin', 'rnx.js');

/** No Node stack trace (`    at fn (file:1:2)`) in a command's output. */
export function noStackTrace(text: string): void {
  assert.doesNotMatch(text, /\n\s+at .+:\d+:\d+/);
}

/** A temporary directory removed by the returned cleanup function. */
export function tempDir(prefix = 'rnx-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface CliRun {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface CliOptions {
  readonly stateDir?: string;
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly input?: string;
  readonly timeoutMs?: number;
  /** A command that runs rnx, e.g. `['nsenter', '--net=/proc/PID/ns/net', '--']`. */
  readonly prefix?: readonly string[];
}

/**
 * Starts `rnx ARGS...` with Node 24 (the test runner's own node), its stdio piped: for a test that
 * looks at rnx while it runs, or writes its input itself.
 */
export function startCli(
  args: readonly string[],
  options: Omit<CliOptions, 'input'> = {},
): ChildProcessWithoutNullStreams {
  const [command = process.execPath, ...rest] = [
    ...(options.prefix ?? []),
    process.execPath,
    RNX_BIN,
    ...args,
  ];
  return spawn(command, rest, {
    cwd: options.cwd ?? REPO_ROOT,
    env: {
      ...process.env,
      NO_COLOR: '1',
      ...(options.stateDir === undefined ? {} : { RNX_STATE_DIR: options.stateDir }),
      ...options.env,
    },
    stdio: ['pipe', 'pipe', 'pipe'],
    timeout: options.timeoutMs ?? 60_000,
  });
}

/** Runs `rnx ARGS...` with Node 24 (the test runner's own node) and collects its output. */
export function runCli(args: readonly string[], options: CliOptions = {}): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = startCli(args, options);
    collectRun(child).then(resolve, reject);
    // A command that never reads its input (`job run -d` hands it on and ends) closes the pipe
    // first: EPIPE on it is no failure of the command, and its exit is what the test looks at.
    child.stdin.on('error', () => undefined);
    child.stdin.end(options.input ?? '');
  });
}

/** A child's exit and its whole output, once it closed. */
export function collectRun(child: ChildProcess): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    child.stdout?.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

/**
 * Asks `rnx job status REF --json` (through `rnx`, e.g. an installed one) until the job runs;
 * returns its id and the host pid of its command.
 */
export async function waitForRunningJob(
  rnx: (args: readonly string[]) => Promise<{ code: number | null; stdout: string }>,
  ref: string,
): Promise<{ id: string; pid: number }> {
  for (let i = 0; i < 400; i++) {
    const r = await rnx(['job', 'status', ref, '--json']);
    if (r.code === 0) {
      const s = JSON.parse(r.stdout) as { id: string; status: string; pid: number | null };
      if (s.status === 'RUNNING' && s.pid !== null) return { id: s.id, pid: s.pid };
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`job ${ref} never ran`);
}
