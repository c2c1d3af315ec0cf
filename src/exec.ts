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
import { killTree } from './process-tree.js';
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
  const started = launch(tool, args, options, options.input !== undefined);
  if (options.input !== undefined) started.finish(options.input);
  return started.done;
}

/** A host tool started now, whose standard input is given later. */
export interface StartedTool {
  /** Writes part of the tool's standard input. */
  write(input: string): void;
  /** Writes the rest of the tool's standard input and closes it (empty: nothing more). */
  finish(input: string): void;
  /** Its end: as runTool's. */
  readonly done: Promise<Result<ToolOutput>>;
}

/**
 * Starts a host tool that reads its standard input, which `finish` writes later: the tool loads
 * while the caller gets that input ready (phase 2 starts the job's side this way while the host's
 * side makes the veth the job's side configures).
 */
export function startTool(
  tool: HostTool,
  args: readonly string[],
  options: Omit<ToolOptions, 'input'> = {},
): StartedTool {
  return launch(tool, args, options, true);
}

function launch(
  tool: HostTool,
  args: readonly string[],
  options: Omit<ToolOptions, 'input'>,
  withInput: boolean,
): StartedTool {
  const path = findTool(tool);
  if (path === undefined) {
    return {
      write: () => undefined,
      finish: () => undefined,
      done: Promise.resolve({ ok: false, problem: missingTools([tool]) }),
    };
  }
  const child = spawn(path, args, {
    stdio: [withInput ? 'pipe' : 'ignore', 'pipe', 'pipe'],
    env: options.env ?? process.env,
  });
  const done = new Promise<Result<ToolOutput>>((resolve) => {
    const limitMs = options.timeoutMs ?? DEFAULT_TOOL_TIMEOUT_MS;
    let late = false;
    const timer = setTimeout(() => {
      late = true;
      killTool(child.pid);
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
        resolve(toolTimeout([tool, ...args.slice(0, 4)].join(' '), limitMs));
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
  });
  // A tool that ends before reading its input (nsenter whose target is gone, a usage error)
  // closes the pipe first: the EPIPE that follows is no fault of rnx, and the tool's exit status
  // and stderr (on 'close') say what happened.
  child.stdin?.on('error', () => undefined);
  const open = (): boolean => child.stdin !== null && !child.stdin.writableEnded;
  return {
    write: (input) => void (open() && child.stdin?.write(input)),
    // Once only: a second finish (an undo after the input was given) does nothing.
    finish: (input) => void (open() && child.stdin?.end(input)),
    done,
  };
}

/** Runs a tool and turns a non-zero exit into a Problem carrying its stderr. */
export async function runToolChecked(
  tool: HostTool,
  args: readonly string[],
  options: ToolOptions = {},
): Promise<Result<ToolOutput>> {
  return checkedOutput(tool, args, await runTool(tool, args, options));
}

/** A tool's end as runToolChecked sees it: a non-zero exit is a Problem carrying its stderr. */
export function checkedOutput(
  tool: HostTool,
  args: readonly string[],
  result: Result<ToolOutput>,
): Result<ToolOutput> {
  if (!result.ok) return result;
  const { code, stderr } = result.value;
  if (code !== 0)
    return fail('tool-failed', `${tool} ${args.slice(0, 4).join(' ')}: ${lastLines(stderr, code)}`);
  return result;
}

/** The last lines a tool said on stderr, or its exit status when it said nothing. */
export function lastLines(stderr: string, code: number | null): string {
  return stderr.trim().split('\n').slice(-3).join('; ') || `exit status ${String(code)}`;
}

/** Kills a tool past its time, with whatever it started (children first, by pid). */
export function killTool(pid: number | undefined): void {
  killTree(pid);
}

/** A tool killed for running longer than `limitMs`, as a Problem. */
export function toolTimeout(what: string, limitMs: number): Result<never> {
  return fail(
    'tool-timeout',
    `'${what}' did not finish within ${seconds(limitMs)}: killed`,
    'the host may be overloaded, or the tool stuck (a lock, a hung mount); see its process list',
  );
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
