/**
 * Builds what `npm pack` ships: the CLI and every dependency bundled by esbuild into dist/rnx/
 * (ESM, one chunk per lazily loaded command), so an installed rnx loads a handful of files instead
 * of hundreds of modules and `npm install` of the tarball fetches no runtime dependency.
 * Run by `npm run build` after `tsc` (which type-checks and compiles the tests to dist/).
 *
 * A module generated at build time (e.g. a validator compiled to standalone code) is bundled like
 * any other: generate it under src/ before this runs and import it from the code that uses it.
 *
 *   node dist/scripts/bundle.js
 */
import { build } from 'esbuild';
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const outdir = `${root}dist/rnx`;

rmSync(outdir, { recursive: true, force: true });
await build({
  absWorkingDir: root,
  // The worker thread that loads large workflow files (src/validate/load-large.ts finds it
  // beside the chunk that starts it).
  entryPoints: {
    main: 'src/cli/main.ts',
    'load-large-worker': 'src/validate/load-large-worker.ts',
  },
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node22.18',
  // Whitespace and syntax only: identifiers stay readable in the rare trace of a broken invariant.
  minifyWhitespace: true,
  minifySyntax: true,
  legalComments: 'none',
  logLevel: 'warning',
  // Bundled CommonJS packages (ajv, graphology) call require() for Node built-ins.
  banner: {
    js: "import { createRequire as __rnxCreateRequire } from 'node:module'; const require = __rnxCreateRequire(import.meta.url);",
  },
});
