/**
 * The one place rnx starts processes. Host tools (`ip`, `nft`, `mkfifo`, ...; src/host-tools.ts)
 * go through `runTool`, which never throws for a failing tool: it returns the exit status and
 * output, and a tool not on PATH becomes `tool-missing` naming the Debian package that provides it
 * (found as `rnx system check` finds it, and run by that absolute path). Long-lived job
 * processes go through `spawnProcess`, a thin wrapper over node:child_process.spawn.
 *
 * No tool runs unbounded: one that has not finished after its time (DEFAULT_TOOL_TIMEOUT_MS unless
 * the caller says otherwise) is killed, with whatever it started, and becomes `tool-timeout` naming
 * it and the time: a hung `ip`, `nft` or `mount` cannot hold rnx (and the jobs waiting on it).
 *
 * node:child_process is used directly rather than execa: on this machine kind a spawn costs 1.9 ms
 * against execa's 3.6 ms, and jobs spawn several tools on their hot path.
 */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { findTool, missingTools, type HostTool } from './host-tools.js';
import { killTree } from './isolation/records/proc-children.js';
import { fail, ok, type Result } from './problem.js';

/**
 * How long a host tool may run. Each takes milliseconds (tens under heavy load); this is far
 * above that, and far below "forever".
 */
export const DEFAULT_TOOL_TIMEOUT_MS = 30_000;

export interface ToolOutput {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface ToolOptions {
  /** Written to the tool's standard input, then closed. */
  readonly input?: string;
  readonly env?: NodeJS.ProcessEnv;
  /** Then it is killed: `tool-timeout` (default DEFAULT_TOOL_TIMEOUT_MS). */
  readonly timeoutMs?: number;
}

/** Runs a host tool to completion. A non-zero exit is data in the result, not an error. */
export function runTool(
  tool: HostTool,
  args: readonly string[],
  options: ToolOptions = {},
): Promise<Result<ToolOutput>> {
  const path = findTool(tool);
  if (path === undefined) return Promise.resolve({ ok: false, problem: missingTools([tool]) });
  return new Promise((resolve) => {
    const child = spawn(path, args, {
      stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
      env: options.env ?? process.env,
    });
    const limitMs = options.timeoutMs ?? DEFAULT_TOOL_TIMEOUT_MS;
    let late = false;
    const timer = setTimeout(() => {
      late = true;
      killTree(child.pid);
    }, limitMs);
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout?.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr?.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      // Gone since it was found: as missing as if it had never been there.
      if (error.code === 'ENOENT') resolve({ ok: false, problem: missingTools([tool]) });
      else resolve(fail('tool-failed', `could not run '${tool}': ${error.message}`));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (late) {
        resolve(
          fail(
            'tool-timeout',
            `'${[tool, ...args.slice(0, 4)].join(' ')}' did not finish within ${seconds(limitMs)}: killed`,
            'the host may be overloaded, or the tool stuck (a lock, a hung mount); see its process list',
          ),
        );
        return;
      }
      resolve(
        ok({
          code,
          signal,
          stdout: Buffer.concat(out).toString('utf8'),
          stderr: Buffer.concat(err).toString('utf8'),
        }),
      );
    });
    // A tool that ends before reading its input (nsenter whose target is gone, a usage error)
    // closes the pipe first: the EPIPE that follows is no fault of rnx, and the tool's exit status
    // and stderr (on 'close') say what happened.
    child.stdin?.on('error', () => undefined);
    if (options.input !== undefined) child.stdin?.end(options.input);
  });
}

/** Runs a tool and turns a non-zero exit into a Problem carrying its stderr. */
export async function runToolChecked(
  tool: HostTool,
  args: readonly string[],
  options: ToolOptions = {},
): Promise<Result<ToolOutput>> {
  const result = await runTool(tool, args, options);
  if (!result.ok) return result;
  const { code, stderr } = result.value;
  if (code !== 0) {
    const detail = stderr.trim().split('\n').slice(-3).join('; ') || `exit status ${String(code)}`;
    return fail('tool-failed', `${tool} ${args.slice(0, 4).join(' ')}: ${detail}`);
  }
  return result;
}

/** Starts a long-lived process (a job). The caller owns the returned ChildProcess. */
export function spawnProcess(
  command: string,
  args: readonly string[],
  options: SpawnOptions,
): ChildProcess {
  return spawn(command, args, options);
}

function seconds(ms: number): string {
  return ms % 1000 === 0 ? `${String(ms / 1000)}s` : `${String(ms)} ms`;
}
