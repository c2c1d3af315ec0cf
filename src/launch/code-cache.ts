/**
 * rnx's own V8 code cache: the bytecode of the functions one command ran, saved after it ran, so
 * the next run of that command compiles nothing. Node's compile cache (`module.enableCompileCache`)
 * is made right after a module's top level is compiled, before it runs: it holds the top level
 * only, and every function a command calls (the YAML parser, the schema validator, the engine) is
 * compiled again on each run. `vm.Script#createCachedData()` called after the command holds them.
 *
 * One file per command (`job-run.1a2b3c4d.v8cache`, `workflow-validate.1a2b3c4d.v8cache`...): a
 * command loads only what it ran (a cache of every command together costs each of them several
 * milliseconds more to load). The tag in the name says which rnx and which Node (their paths):
 * two installs, or two Nodes, sharing a cache directory each keep their own file instead of
 * replacing each other's on every run; a directory keeps at most MAX_PLACES of them per command
 * (the oldest go). A file is trusted only when it matches the bundle and Node exactly (its header, below)
 * and it and its directory belong to this user and no one else can write them: V8 checks a cache's
 * version and flags but not the source it was made from, and bytecode from elsewhere is code.
 *
 * File: `RNXCACHE1 {identity as JSON}` padded with spaces, `\n`, then V8's data, which starts at a
 * multiple of DATA_ALIGNMENT bytes: V8 copies data that is not aligned to a pointer before it
 * deserializes it (its `AlignedCachedData`), and on this kind of machine each fresh page such a
 * copy touches costs a page fault (about 15 us each: a 690 kB cache, about 2.5 ms).
 */
import type { Stats } from 'node:fs';
import { fnv1a32 } from '../fnv1a.js';

// Built-ins fetched, not imported: the bundler's import of a built-in copies every export of it,
// a cost on every start of rnx (this file runs before the CLI, see run-bundle.ts).
const {
  closeSync,
  fstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readSync,
  renameSync,
  statSync,
  unlinkSync,
  writeFileSync,
} = process.getBuiltinModule('node:fs');
const path = process.getBuiltinModule('node:path');

const MAGIC = 'RNXCACHE1 ';
const SUFFIX = '.v8cache';
/** Where V8's data starts in a cache file: a multiple of this (V8's pointer alignment). */
export const DATA_ALIGNMENT = 8;
/** Runs of one command whose cache is written again: the union of a few runs' functions. */
export const RUNS_THAT_WRITE = 3;
/** Installs (bundle and Node paths) whose files one directory keeps for a command. */
export const MAX_PLACES = 4;

/** What a cache was made from: a cache made from anything else is not used. */
export interface CacheIdentity {
  /** Node (and so V8) that made it. */
  readonly node: string;
  /** The bundle file as it is now: another build, a copy or an edit changes one of these. */
  readonly bundle: string;
  /** The command the cache is for (see commandKey). */
  readonly command: string;
  /** Where: the bundle's path and Node's (the file name's tag; see placeTag). */
  readonly place: string;
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

/** The identity of a bundle file (its path and what stat says of it) and the running Node. */
export function identityOf(bundlePath: string, bundle: Stats, command: string): CacheIdentity {
  return {
    node: `${process.version} ${process.arch} ${process.execPath}`,
    bundle: [bundle.dev, bundle.ino, bundle.size, bundle.mtimeMs, bundle.ctimeMs]
      .map(String)
      .join(' '),
    command,
    place: `${bundlePath}\0${process.execPath}`,
  };
}

export function cacheFile(dir: string, identity: CacheIdentity): string {
  return path.join(dir, `${identity.command}.${placeTag(identity.place)}${SUFFIX}`);
}

/**
 * Eight hex digits (32-bit FNV-1a) naming a place: a name, not a check (the header is compared in
 * full), so a collision costs a recompile, never a wrong cache. No node:crypto: loading it costs
 * every start more than rnx's whole cache lookup.
 */
export function placeTag(place: string): string {
  return fnv1a32(place).toString(16).padStart(8, '0');
}

/** Owned by this user, and written by no one else. */
function private_(stats: Stats): boolean {
  const uid = process.geteuid?.() ?? -1;
  return stats.uid === uid && (stats.mode & 0o022) === 0;
}

/**
 * The cache for `identity` in `dir`, or undefined when there is none to use: absent, unreadable,
 * another bundle's or Node's, damaged, or not private to this user. Read into `scratch` when it
 * fits (the caller's buffer, already touched: no new pages), else into a buffer of its own.
 */
export function readCache(
  dir: string,
  identity: CacheIdentity,
  scratch?: Buffer,
): LoadedCache | undefined {
  let fd: number;
  try {
    if (!private_(statSync(dir))) return undefined;
    fd = openSync(cacheFile(dir, identity), 'r');
  } catch {
    return undefined;
  }
  try {
    const stats = fstatSync(fd);
    if (!private_(stats)) return undefined;
    const bytes = readWhole(fd, stats.size, scratch);
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

/**
 * The first `size` bytes of `fd` (fewer when it ends sooner), in `scratch` when they fit. Exported
 * for run-bundle.ts, which reads the bundle the same way.
 */
export function readWhole(fd: number, size: number, scratch?: Buffer, at = 0): Buffer {
  const into =
    scratch !== undefined && scratch.length >= at + size ? scratch : Buffer.allocUnsafeSlow(size);
  const start = into === scratch ? at : 0;
  let got = 0;
  while (got < size) {
    const n = readSync(fd, into, start + got, size - got, got);
    if (n === 0) break;
    got += n;
  }
  return into.subarray(start, start + got);
}

function sameIdentity(header: unknown, identity: CacheIdentity): boolean {
  if (typeof header !== 'object' || header === null) return false;
  const h = header as Record<string, unknown>;
  return (
    h['node'] === identity.node &&
    h['bundle'] === identity.bundle &&
    h['command'] === identity.command &&
    h['place'] === identity.place
  );
}

/**
 * Writes the cache atomically (a temporary file renamed over it: a reader sees the old file or the
 * new one) in a directory only this user can write, made if missing. A cache of another bundle
 * at the same place for the same command is replaced; temporary files a killed rnx left are
 * removed, and so are the command's files of other places beyond the MAX_PLACES newest.
 * Returns false when it could not (a read-only or foreign directory...): rnx runs without.
 */
export function writeCache(
  dir: string,
  identity: CacheIdentity,
  runs: number,
  data: () => Buffer,
): boolean {
  const file = cacheFile(dir, identity);
  const temporary = `${file}.${String(process.pid)}.tmp`;
  let fd: number | undefined;
  try {
    if (!usableDir(dir)) return false;
    // Opened before V8 makes the data (several milliseconds): nothing is made for a directory
    // that takes nothing.
    fd = openSync(temporary, 'wx', 0o600);
    writeFileSync(fd, headerLine(identity, runs));
    writeFileSync(fd, data());
    closeSync(fd);
    fd = undefined;
    renameSync(temporary, file);
    tidy(dir, identity.command);
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

/** The header line, padded so that V8's data after it starts at a multiple of DATA_ALIGNMENT. */
export function headerLine(identity: CacheIdentity, runs: number): Buffer {
  const text = `${MAGIC}${JSON.stringify({ ...identity, runs })}`;
  const length = Buffer.byteLength(text) + 1;
  const pad = (DATA_ALIGNMENT - (length % DATA_ALIGNMENT)) % DATA_ALIGNMENT;
  return Buffer.from(`${text}${' '.repeat(pad)}\n`);
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

/**
 * Removes temporary files of writers that are gone (a pid that no longer runs), and `command`'s
 * files beyond the MAX_PLACES most recently written (installs that are gone, or a Node replaced).
 */
function tidy(dir: string, command: string): void {
  const mine: { name: string; written: number }[] = [];
  for (const name of readdirSync(dir)) {
    const pid = /\.v8cache\.(\d+)\.tmp$/.exec(name)?.[1];
    if (pid !== undefined && !alive(Number(pid))) remove(path.join(dir, name));
    else if (
      name.startsWith(`${command}.`) &&
      /^\.[0-9a-f]{8}\.v8cache$/.test(name.slice(command.length))
    ) {
      try {
        mine.push({ name, written: statSync(path.join(dir, name)).mtimeMs });
      } catch {
        // Another rnx removed it first.
      }
    }
  }
  mine.sort((a, b) => b.written - a.written);
  for (const { name } of mine.slice(MAX_PLACES)) remove(path.join(dir, name));
}

function remove(file: string): void {
  try {
    unlinkSync(file);
  } catch {
    // Another rnx removed it first.
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
