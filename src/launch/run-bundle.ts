/**
 * Runs rnx's bundle (dist/rnx/main.cjs, CommonJS) for `bin/rnx.js`: as Node's `require()` would
 * (same wrapper, same arguments), but compiled through `vm.Script` with rnx's own code cache
 * (code-cache.ts) when there is a cache directory this user owns. Without one it is plain
 * `require()`, compiled on every run.
 *
 * The bundle and its cache are read through one buffer: the bundle, between Node's wrapper's head
 * and tail, becomes the source string, then the cache is read over it. Each fresh page costs a
 * page fault (about 15 us on this kind of machine), and reading the bundle with `readFileSync`,
 * adding the wrapper (V8 then copies the joined string whole) and reading the cache into a buffer
 * of its own touched about 1,000 pages for `workflow validate` where this touches 400: 9 ms less.
 *
 * Any trouble with a cache costs that run a compile, never the command: a cache that is missing,
 * another bundle's, damaged (V8 checks the data's checksum: the check is switched on around the
 * compile and the making of the data) or refused by V8 is ignored and written again after a
 * successful run; one that cannot be written is not made at all.
 */
import type { Script as ScriptType } from 'node:vm';
import {
  asksForHelp,
  cacheDirFor,
  commandKey,
  identityOf,
  readCache,
  readWhole,
  RUNS_THAT_WRITE,
  usableDir,
  writeCache,
} from './code-cache.js';

// bin/rnx.js calls it first: what rnx inherited beyond stdio is not passed on to its jobs.
export { closeInheritedFds, mayStartProcesses } from './inherited-fds.js';

// Built-ins fetched, not imported: the bundler's import of a built-in copies every export of it.
const { closeSync, fstatSync, openSync } = process.getBuiltinModule('node:fs');
const { createRequire, setSourceMapsSupport } = process.getBuiltinModule('node:module');
const path = process.getBuiltinModule('node:path');

/** Node's CommonJS wrapper, on the first line so that line numbers stay the bundle's own. */
const HEAD = '(function (exports, require, module, __filename, __dirname) { ';
const TAIL = '\n})';

/** How a run loaded the bundle: reported to the tests through runBundle's return value. */
export type BundleLoad = 'required' | 'compiled' | 'cached';

export function runBundle(
  bundle: string,
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
): BundleLoad {
  if (env['RNX_DEBUG'] === '1') return debugging(bundle);
  const dir = cacheDirFor(env);
  let source: string;
  let identity;
  let scratch: Buffer;
  try {
    if (dir === undefined) throw new Error('no cache directory');
    const fd = openSync(bundle, 'r');
    try {
      const stats = fstatSync(fd);
      identity = identityOf(bundle, stats, commandKey(argv));
      // Room for the cache too, which can be larger than the bundle (a command that compiled
      // much of it; rnx's are 0.35 to 1 times its size): pages nothing is read into are never
      // touched, so the room costs nothing, and no stat of the cache is needed to size it (a
      // larger cache gets a buffer of its own, readWhole).
      scratch = Buffer.allocUnsafeSlow(HEAD.length + 2 * stats.size + TAIL.length);
      scratch.write(HEAD, 0, 'latin1');
      const body = readWhole(fd, stats.size, scratch, HEAD.length);
      const end = HEAD.length + body.length;
      scratch.write(TAIL, end, 'latin1');
      source = scratch.toString('utf8', 0, end + TAIL.length);
    } finally {
      closeSync(fd);
    }
  } catch {
    return required(bundle);
  }
  // Over the bundle's bytes, now in the source string: no new pages.
  const cached = readCache(dir, identity, scratch);
  // No cache, and none can be kept: nothing to do beyond what require() does.
  if (cached === undefined && !usableDir(dir)) return required(bundle);
  checkingData(true);
  const { Script } = process.getBuiltinModule('node:vm');
  const script: ScriptType = new Script(source, {
    filename: bundle,
    ...(cached === undefined ? {} : { cachedData: cached.data }),
  });
  checkingData(false);
  const used = cached !== undefined && script.cachedDataRejected !== true;
  const runs = used ? cached.runs : 0;
  if (runs < RUNS_THAT_WRITE && !asksForHelp(argv)) {
    // After a successful run only: a failed one may have stopped early (a usage error).
    process.once('exit', (code) => {
      if (code !== 0) return;
      writeCache(dir, identity, runs + 1, () => {
        checkingData(true);
        try {
          return script.createCachedData();
        } finally {
          checkingData(false);
        }
      });
    });
  }
  const module = { exports: {} };
  const wrapper = script.runInThisContext() as (...args: unknown[]) => void;
  const require = createRequire(bundle);
  wrapper.call(module.exports, module.exports, require, module, bundle, path.dirname(bundle));
  return used ? 'cached' : 'compiled';
}

/**
 * The bundle through plain require(), compiled on every run. Not with Node's compile cache: its
 * place is a directory under the shared /tmp (os.tmpdir()), and bytecode is code, which rnx takes
 * only from a directory that is this user's alone (code-cache.ts). `RNX_CACHE_DIR=` (no cache)
 * then writes nothing anywhere.
 */
function required(bundle: string): 'required' {
  createRequire(bundle)(bundle);
  return 'required';
}

/**
 * `RNX_DEBUG=1`: the bundle is minified (scripts/bundle.ts), so a stack trace is read through its
 * source map (main.cjs.map beside it), which gives back src/'s files and lines (and most function
 * names). Node reads a map only for code it loads itself: required, without rnx's code cache.
 */
function debugging(bundle: string): 'required' {
  setSourceMapsSupport(true);
  return required(bundle);
}

/**
 * V8 checks a code cache's checksum only when asked (release builds skip it, and a damaged cache
 * can then crash the process). The flag is part of what a cache must match, so it is on both when
 * a cache is made and when one is used; off otherwise, since it also makes every worker thread
 * check Node's whole start-up snapshot.
 */
function checkingData(on: boolean): void {
  process
    .getBuiltinModule('node:v8')
    .setFlagsFromString(on ? '--verify-snapshot-checksum' : '--no-verify-snapshot-checksum');
}
