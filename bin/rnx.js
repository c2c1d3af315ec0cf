#!/usr/bin/env node
// rnx entry point: the compiled CLI lives in dist/ (built by `npm ci` / `npm run build`).
import module from 'node:module';

module.enableCompileCache?.();
await import('../dist/src/cli/main.js');
