/**
 * Compiles rnx's job sandbox program (src/isolation/sandbox/rnx-sandbox.c) into dist/rnx/ beside
 * the bundle, which finds it there (sandbox-program.ts), and beside the compiled module in
 * dist/src/ (the tests import those modules). It is one C file using libc alone: `cc -O2`. Without
 * a C compiler, or when the compile fails (a libc older than 2.36 lacks mount_setattr), the build
 * says so and goes on: rnx then sets jobs up with bwrap + setpriv (`rnx system check` says which).
 * Run by `npm run build` after the bundle (which empties dist/rnx/).
 *
 *   node dist/scripts/build-sandbox.js
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const source = `${root}src/isolation/sandbox/rnx-sandbox.c`;
const built = `${root}dist/rnx/rnx-sandbox`;
const cc = process.env['CC'] ?? 'cc';

const compile = spawnSync(cc, ['-O2', '-Wall', '-Wextra', '-o', built, source], {
  stdio: ['ignore', 'inherit', 'pipe'],
  encoding: 'utf8',
});
if (compile.error !== undefined || compile.status !== 0) {
  const why =
    compile.error !== undefined
      ? `no C compiler '${cc}' (Debian package gcc)`
      : `'${cc}' failed:\n${compile.stderr}`;
  process.stderr.write(`rnx-sandbox not built: ${why}\njobs will be set up by bwrap + setpriv\n`);
} else {
  if (compile.stderr !== '') process.stderr.write(compile.stderr);
  copyFileSync(built, `${root}dist/src/isolation/sandbox/rnx-sandbox`);
}
