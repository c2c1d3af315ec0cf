#!/usr/bin/env node
// rnx's Node entry point; `bin/rnx` (the installed command) starts it with a Node new enough.
// rnx needs Node >= 22.18 (node:sqlite). Started directly by an older node (`node bin/rnx.js`, with
// Debian's Node 20), it runs itself again with the Node 24 installed beside it, forwarding
// SIGINT, SIGTERM, SIGHUP and SIGQUIT and ending as the child ended (same code, same signal).
// Built-ins are loaded where they are used (an ESM import of one also loads the internal modules
// behind its lazy exports: fs.promises, streams...), which keeps a new enough Node's start short.
const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 18)) {
  const script = new URL(import.meta.url).pathname;
  const { existsSync } = await import('node:fs');
  const newer = [
    new URL('../node_modules/node/bin/node', import.meta.url).pathname,
    new URL('../../node/bin/node', import.meta.url).pathname,
  ].find((path) => existsSync(path));
  if (newer === undefined) {
    process.stderr.write(
      `rnx: needs Node.js 22.18 or newer; ${process.execPath} is ${process.version}\n` +
        '  hint: put Node >= 22.18 first on PATH or set RNX_NODE=/path/to/node, or reinstall rnx ' +
        "with install scripts allowed (npm install -g --allow-scripts=node rnx): its dependency 'node' brings Node 24\n",
    );
    process.exit(3);
  }
  // RNX_LAUNCHER: rnx then counts a signal that arrives twice at once (from a terminal, which
  // signals the whole process group, and from here) as one.
  // Loaded only here: node:child_process (with node:net and the streams) costs a new enough Node
  // several milliseconds of start-up that it never needs.
  const { spawn } = await import('node:child_process');
  // With the young generation bin/rnx gives it (see there).
  const child = spawn(newer, ['--min-semi-space-size=8', script, ...process.argv.slice(2)], {
    stdio: 'inherit',
    env: { ...process.env, RNX_LAUNCHER: 'forwarding' },
  });
  const signals = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT'];
  const forward = (signal) => child.kill(signal);
  for (const signal of signals) process.on(signal, forward);
  child.on('exit', (code, signal) => {
    for (const s of signals) process.off(s, forward);
    if (signal !== null) process.kill(process.pid, signal);
    process.exit(code ?? 1);
  });
} else {
  // The CLI bundle is run with rnx's own code cache, kept after a command ran (README: "The code
  // cache"), or required (compiled on every run) when there is none.
  // Descriptors inherited beyond stdio are closed first by a command that may start a process
  // (src/launch/inherited-fds.ts): Node would pass them on to every job.
  const { closeInheritedFds, mayStartProcesses, runBundle } = await import('../dist/rnx/launch.js');
  const argv = process.argv.slice(2);
  if (mayStartProcesses(argv)) closeInheritedFds();
  runBundle(new URL('../dist/rnx/main.cjs', import.meta.url).pathname, argv, process.env);
}
