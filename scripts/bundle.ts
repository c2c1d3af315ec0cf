/**
 * Builds what `npm pack` ships: the CLI and every dependency bundled by esbuild into one file,
 * dist/rnx/main.cjs (a command's modules are evaluated only when it runs: esbuild wraps what
 * is imported lazily), so an installed rnx resolves and loads one file instead of hundreds of
 * modules, one compile-cache entry covers it, and `npm install` of the tarball fetches no runtime
 * dependency. One file measured cheaper than a chunk per command (about 40 chunks, each resolved
 * and cached on its own): 78 against 90 ms of CPU for `rnx workflow validate` of a small file.
 * Run by `npm run build` after `tsc` (which type-checks and compiles the tests to dist/).
 *
 * A module generated at build time (e.g. a validator compiled to standalone code) is bundled like
 * any other: generate it under src/ before this runs and import it from the code that uses it.
 *
 *   node dist/scripts/bundle.js
 */
import { build, type Plugin } from 'esbuild';
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const outdir = `${root}dist/rnx`;

/**
 * Node built-ins through `process.getBuiltinModule` instead of `import ... from 'node:fs'`: an ESM
 * import of a built-in builds a facade that reads every export, which runs the lazy getters
 * (`fs.promises`, `util.parseArgs`, `crypto.webcrypto`...) and so loads and compiles dozens of
 * internal modules (streams, readline, worker threads, the whole of crypto) that rnx's command
 * never uses: about a third of `rnx workflow validate`'s own start-up. esbuild's CommonJS interop
 * reads a property only where the code uses it.
 */
const builtinsWithoutFacade: Plugin = {
  name: 'builtins-without-facade',
  setup(bundle) {
    bundle.onResolve({ filter: /^node:/ }, (args) => ({ path: args.path, namespace: 'builtin' }));
    bundle.onLoad({ filter: /.*/, namespace: 'builtin' }, (args) => ({
      contents: `module.exports = process.getBuiltinModule(${JSON.stringify(args.path)});`,
      loader: 'js',
    }));
  },
};

rmSync(outdir, { recursive: true, force: true });
const common = {
  absWorkingDir: root,
  outdir,
  bundle: true,
  splitting: false,
  platform: 'node',
  target: 'node22.18',
  // Identifiers too: every start reads the whole bundle and copies it into the source string V8
  // compiles, and each 4 kB page of either costs a page fault (about 15 us here); 822 kB with
  // whitespace and syntax minified, 599 kB with identifiers as well: about 150 page faults
  // fewer per command, one to four milliseconds (README: "Cost"). The source map beside each file
  // turns a trace back into src/'s files and lines: `RNX_DEBUG=1` loads it (run-bundle.ts),
  // nothing else reads it.
  minify: true,
  sourcemap: 'linked',
  // Names and lines are all a trace needs; src/ is not shipped.
  sourcesContent: false,
  legalComments: 'none',
  logLevel: 'warning',
} as const;
// The CLI: CommonJS, so that bin/rnx.js can compile it through vm.Script with rnx's own code
// cache (src/launch/run-bundle.ts; vm.Script takes scripts, not modules) and, without a cache,
// require() it. Node built-ins stay require() calls (esbuild leaves them external), which read a
// built-in's property only where the code uses it, as the plugin below does for ESM.
await build({
  ...common,
  entryPoints: { main: 'src/cli/main.ts' },
  outExtension: { '.js': '.cjs' },
  format: 'cjs',
  // The worker threads' files are found beside the bundle (`new URL('./x.js', import.meta.url)`).
  define: { 'import.meta.url': '__rnxBundleUrl' },
  banner: {
    js: "'use strict';const __rnxBundleUrl=require('node:url').pathToFileURL(__filename).href;",
  },
});
// Code that runs in a thread or process of its own is a file of its own: the worker thread that
// loads large workflow files (src/validate/load/load-large.ts finds it beside the file that starts it)
// and the spawner process (isolation/start/spawner.ts). And the loader of the CLI bundle
// (bin/rnx.js).
await build({
  ...common,
  entryPoints: {
    launch: 'src/launch/run-bundle.ts',
    'load-large-worker': 'src/validate/load/load-large-worker.ts',
    'spawner-process': 'src/isolation/start/spawner-process.ts',
  },
  format: 'esm',
  plugins: [builtinsWithoutFacade],
  // Bundled CommonJS packages call require() for Node built-ins.
  banner: {
    js: "const require = process.getBuiltinModule('node:module').createRequire(import.meta.url);",
  },
});
