/**
 * rnx's own V8 code cache: the bytecode of the functions one command ran, saved after it ran, so
 * the next run of that command compiles nothing. Node's compile cache (`module.enableCompileCache`)
 * is made right after a module's top level is compiled, before it runs: it holds the top level
 * only, and every function a command calls (the YAML parser, the schema validator, the engine) is
 * compiled again on each run. `vm.Script#createCachedData()` called after the command holds them.
 *
 * One file per command (`job-run.v8cache`, `workflow-validate.v8cache`...): a command loads only
 * what it ran (a cache of every command together costs each of them several milliseconds more to
 * load). A file is trusted only when it matches the bundle and Node exactly (its header, below)
 * and it and its directory belong to this user and no one else can write them: V8 checks a cache's
 * version and flags but not the source it was made from, and bytecode from elsewhere is code.
 *
 * File: `RNXCACHE1 {identity as JSON}\n` then V8's data.
 */
import type { Stats } from 'node:fs';

// Built-ins fetched, not imported: the bundler's import of a built-in copies every export of it,
// a cost on every start of rnx (this file runs before the CLI, see run-bundle.ts).
const {
  closeSync,
  fstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  statSync,
  unlinkSync,
  writeFileSync,
} = process.getBuiltinModule('node:fs');
const path = process.getBuiltinModule('node:path');

const MAGIC = 'RNXCACHE1 ';
const SUFFIX = '.v8cache';
/** Runs of one command whose cache is written again: the union of a few runs' functions. */
export const RUNS_THAT_WRITE = 3;

/** What a cache was made from: a cache made from anything else is not used. */
export interface CacheIdentity {
  /** Node (and so V8) that made it. */
  readonly node: string;
  /** The bundle file as it is now: another build, a copy or an edit changes one of these. */
  readonly bundle: string;
  /** The command the cache is for (see commandKey). */
  readonly command: string;
}

export interface LoadedCache {
  readonly data: Buffer;
  /** Runs that wrote this cache so far. */
  readonly runs: number;
}

/**
 * The cache directory: `$RNX_CACHE_DIR`, else `$XDG_CACHE_HOME/rnx`, else `$HOME/.cache/rnx`;
 * undefined (no cache) when `RNX_CACHE_DIR` is set to an empty value or there is no home.
 */
export function cacheDirFor(env: NodeJS.ProcessEnv): string | undefined {
  const own = env['RNX_CACHE_DIR'];
  if (own !== undefined) return own === '' ? undefined : own;
  const xdg = env['XDG_CACHE_HOME'];
  if (xdg !== undefined && xdg.startsWith('/')) return path.join(xdg, 'rnx');
  const home = env['HOME'];
  return home !== undefined && home.startsWith('/') ? path.join(home, '.cache', 'rnx') : undefined;
}

/**
 * The command a run is for, as a file name: its first two words (`job-run`), `rnx` for the top
 * level (`--version`). `job run --workflow=FILE` runs the engine where `job run CMD` runs one job:
 * each has its own file (`job-run-workflow`), so that neither's cache lacks the other's code.
 */
export function commandKey(argv: readonly string[]): string {
  const words: string[] = [];
  for (const arg of argv.slice(0, 2)) {
    if (!/^[a-z][a-z-]{0,39}$/.test(arg)) break;
    words.push(arg);
  }
  if (words.join(' ') === 'job run' && runsWorkflow(argv.slice(2))) words.push('workflow');
  return words.length === 0 ? 'rnx' : words.join('-');
}

/** Read from the flags before the job's command; a wrong guess would cost speed, never a result. */
function runsWorkflow(flags: readonly string[]): boolean {
  for (const arg of flags) {
    if (arg === '--' || !arg.startsWith('-')) return false;
    if (arg === '--workflow' || arg.startsWith('--workflow=')) return true;
  }
  return false;
}

/** A run for help (`rnx job run --help`) runs little of its command: its cache would be poor. */
export function asksForHelp(argv: readonly string[]): boolean {
  for (const arg of argv) {
    if (arg === '--') return false;
    if (arg === '--help' || arg === '-h') return true;
  }
  return false;
}

/** The identity of a bundle file and the running Node. */
export function identityOf(bundle: Stats, command: string): CacheIdentity {
  return {
    node: `${process.version} ${process.arch} ${process.execPath}`,
    bundle: [bundle.dev, bundle.ino, bundle.size, bundle.mtimeMs, bundle.ctimeMs]
      .map(String)
      .join(' '),
    command,
  };
}

export function cacheFile(dir: string, command: string): string {
  return path.join(dir, `${command}${SUFFIX}`);
}

/** Owned by this user, and written by no one else. */
function private_(stats: Stats): boolean {
  const uid = process.geteuid?.() ?? -1;
  return stats.uid === uid && (stats.mode & 0o022) === 0;
}

/**
 * The cache for `identity` in `dir`, or undefined when there is none to use: absent, unreadable,
 * another bundle's or Node's, damaged, or not private to this user.
 */
export function readCache(dir: string, identity: CacheIdentity): LoadedCache | undefined {
  let fd: number;
  try {
    if (!private_(statSync(dir))) return undefined;
    fd = openSync(cacheFile(dir, identity.command), 'r');
  } catch {
    return undefined;
  }
  try {
    if (!private_(fstatSync(fd))) return undefined;
    const bytes = readFileSync(fd);
    const end = bytes.indexOf(10);
    if (end < 0 || bytes.toString('latin1', 0, MAGIC.length) !== MAGIC) return undefined;
    const header = JSON.parse(bytes.toString('utf8', MAGIC.length, end)) as unknown;
    if (!sameIdentity(header, identity)) return undefined;
    const runs = (header as { runs?: unknown }).runs;
    return {
      data: bytes.subarray(end + 1),
      runs: typeof runs === 'number' && Number.isInteger(runs) && runs > 0 ? runs : 1,
    };
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
}

function sameIdentity(header: unknown, identity: CacheIdentity): boolean {
  if (typeof header !== 'object' || header === null) return false;
  const h = header as Record<string, unknown>;
  return (
    h['node'] === identity.node &&
    h['bundle'] === identity.bundle &&
    h['command'] === identity.command
  );
}

/**
 * Writes the cache atomically (a temporary file renamed over it: a reader sees the old file or the
 * new one) in a directory only this user can write, made if missing. A cache of another bundle
 * or Node for the same command is replaced; temporary files a killed rnx left are removed.
 * Returns false when it could not (a read-only or foreign directory...): rnx runs without.
 */
export function writeCache(
  dir: string,
  identity: CacheIdentity,
  runs: number,
  data: () => Buffer,
): boolean {
  const file = cacheFile(dir, identity.command);
  const temporary = `${file}.${String(process.pid)}.tmp`;
  let fd: number | undefined;
  try {
    if (!usableDir(dir)) return false;
    // Opened before V8 makes the data (several milliseconds): nothing is made for a directory
    // that takes nothing.
    fd = openSync(temporary, 'wx', 0o600);
    writeFileSync(fd, `${MAGIC}${JSON.stringify({ ...identity, runs })}\n`);
    writeFileSync(fd, data());
    closeSync(fd);
    fd = undefined;
    renameSync(temporary, file);
    removeStaleTemporaries(dir);
    return true;
  } catch {
    if (fd !== undefined) closeSync(fd);
    try {
      unlinkSync(temporary);
    } catch {
      // Never made, or already gone.
    }
    return false;
  }
}

/** The directory exists (made if missing) and is private to this user: a cache can be kept there. */
export function usableDir(dir: string): boolean {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    return private_(statSync(dir));
  } catch {
    return false;
  }
}

/** Temporary files of writers that are gone (a pid that no longer runs). */
function removeStaleTemporaries(dir: string): void {
  for (const name of readdirSync(dir)) {
    const pid = /\.v8cache\.(\d+)\.tmp$/.exec(name)?.[1];
    if (pid === undefined || alive(Number(pid))) continue;
    try {
      unlinkSync(path.join(dir, name));
    } catch {
      // Another rnx removed it first.
    }
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
