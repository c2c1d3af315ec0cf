/**
 * Runs rnx's bundle (dist/rnx/main.cjs, CommonJS) for `bin/rnx.js`: as Node's `require()` would
 * (same wrapper, same arguments), but compiled through `vm.Script` with rnx's own code cache
 * (code-cache.ts) when there is a cache directory this user owns. Without one it is plain
 * `require()`, which Node's compile cache (enabled by bin/rnx.js) speeds up as before.
 *
 * Any trouble with a cache costs that run a compile, never the command: a cache that is missing,
 * another bundle's, damaged (V8 checks the data's checksum: the check is switched on around the
 * compile and the making of the data) or refused by V8 is ignored and written again after a
 * successful run; one that cannot be written is not made at all.
 */
import { readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { Script } from 'node:vm';
import {
  asksForHelp,
  cacheDirFor,
  commandKey,
  identityOf,
  readCache,
  RUNS_THAT_WRITE,
  usableDir,
  writeCache,
} from './code-cache.js';

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
  const require = createRequire(bundle);
  const dir = cacheDirFor(env);
  let source: string;
  let identity;
  try {
    if (dir === undefined) throw new Error('no cache directory');
    identity = identityOf(statSync(bundle), commandKey(argv));
    source = readFileSync(bundle, 'utf8');
  } catch {
    require(bundle);
    return 'required';
  }
  const cached = readCache(dir, identity);
  // A first run where no cache can be kept compiles the way Node's compile cache can help.
  if (cached === undefined && !usableDir(dir)) {
    require(bundle);
    return 'required';
  }
  checkingData(true);
  const script = new Script(HEAD + source + TAIL, {
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
  wrapper.call(module.exports, module.exports, require, module, bundle, dirname(bundle));
  return used ? 'cached' : 'compiled';
}

/**
 * V8 checks a code cache's checksum only when asked (release builds skip it, and a damaged cache
 * can then crash the process). The flag is part of what a cache must match, so it is on both when
 * a cache is made and when one is used; off otherwise, since it also makes every worker thread
 * check Node's whole start-up snapshot.
 */
function checkingData(on: boolean): void {
  setFlagsFromString(on ? '--verify-snapshot-checksum' : '--no-verify-snapshot-checksum');
}
