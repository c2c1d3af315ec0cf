// The first step of `npm run build` (and so of `npm test`): the build runs TypeScript files with
// Node itself, which needs Node >= 22.18. When `npm ci` did not run or failed (./scripts/setup.sh
// stopped), npm finds no Node 24 in node_modules and runs PATH's node, Debian 12's 18, whose own
// error (ERR_UNKNOWN_FILE_EXTENSION ".ts") says nothing of the cause. Plain JavaScript: it must
// run on that older Node.
const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 18)) {
  process.stderr.write(
    `rnx's build needs Node.js 22.18 or newer; ${process.execPath} is ${process.version}\n` +
      '  hint: run ./scripts/setup.sh (its npm ci brings Node 24 into node_modules), then again\n',
  );
  process.exit(1);
}
