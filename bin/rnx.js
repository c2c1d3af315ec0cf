#!/usr/bin/env node
// rnx entry point: the compiled CLI lives in dist/ (built by `npm ci` / `npm run build`).
// rnx needs Node >= 22.18 (node:sqlite, JSON import attributes). Started by an older node (this
// machine kind ships Node 20), it re-runs itself with the Node 24 that `npm ci` installs.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import module from 'node:module';

const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 18)) {
  const bundled = new URL('../node_modules/node/bin/node', import.meta.url);
  if (existsSync(bundled)) {
    const r = spawnSync(
      bundled.pathname,
      [new URL(import.meta.url).pathname, ...process.argv.slice(2)],
      {
        stdio: 'inherit',
      },
    );
    if (r.signal) process.kill(process.pid, r.signal);
    process.exit(r.status ?? 1);
  }
  process.stderr.write(
    `rnx: needs Node.js 22.18 or newer (this is ${process.version}); run 'npm ci' to install Node 24\n`,
  );
  process.exit(3);
}

module.enableCompileCache?.();
await import('../dist/src/cli/main.js');
