/**
 * Compiles rnx's job sandbox program (src/isolation/sandbox/rnx-sandbox.c) into dist/rnx/ beside
 * the bundle, which finds it there (sandbox-program.ts), and beside the compiled module in
 * dist/src/ (the tests import those modules). Four C files (the program, its `--serve` mode, the
 * job's cgroups, its network interfaces) using libc alone, linked statically:
 * it runs as root on the host before the job's sandbox exists, with the job's environment, and a
 * static program has no dynamic loader to honour an LD_PRELOAD or LD_LIBRARY_PATH a workflow set
 * (it also starts about 0.4 ms sooner). Where libc has no static archive it is linked dynamically.
 * Without a C compiler, or when the compile fails (a libc older than 2.36 lacks mount_setattr),
 * the build says so and goes on: rnx then sets jobs up with bwrap + setpriv (`rnx system check`
 * says which). Run by `npm run build` after the bundle (which empties dist/rnx/).
 *
 *   node dist/scripts/build-sandbox.js
 */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { copyFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const sources = ['rnx-sandbox.c', 'serve.c', 'cgroups.c', 'interfaces.c'].map(
  (file) => `${root}src/isolation/sandbox/${file}`,
);
const built = `${root}dist/rnx/rnx-sandbox`;
const cc = process.env['CC'] ?? 'cc';

function compile(linking: readonly string[]): SpawnSyncReturns<string> {
  return spawnSync(cc, ['-O2', '-Wall', '-Wextra', ...linking, '-o', built, ...sources], {
    stdio: ['ignore', 'inherit', 'pipe'],
    encoding: 'utf8',
  });
}

let result = compile(['-static', '-s']);
if (result.error === undefined && result.status !== 0) {
  process.stderr.write('rnx-sandbox: no static libc here (libc.a): linked dynamically\n');
  result = compile(['-s']);
}
if (result.error !== undefined || result.status !== 0) {
  const why =
    result.error !== undefined
      ? `no C compiler '${cc}' (Debian package gcc)`
      : `'${cc}' failed:\n${result.stderr}`;
  process.stderr.write(`rnx-sandbox not built: ${why}\njobs will be set up by bwrap + setpriv\n`);
} else {
  if (result.stderr !== '') process.stderr.write(result.stderr);
  copyFileSync(built, `${root}dist/src/isolation/sandbox/rnx-sandbox`);
}
