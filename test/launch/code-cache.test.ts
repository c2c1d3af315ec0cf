/**
 * rnx's own code cache (src/launch): run on a small CommonJS bundle of the test's own in a child
 * Node, which prints how the bundle was loaded ('compiled', 'cached', 'required') and then what the
 * bundle printed. A cache is used only when it was made from that very file by that Node, and a
 * damaged, foreign or unwritable one costs a compile, never the run.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { basename, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  asksForHelp,
  cacheDirFor,
  cacheFile,
  commandKey,
  DATA_ALIGNMENT,
  headerLine,
  identityOf,
  MAX_PLACES,
  placeTag,
  readCache,
  writeCache,
} from '../../src/launch/code-cache.js';
import { REPO_ROOT, tempDir } from '../helpers/cli.js';

const RUNNER = join(REPO_ROOT, 'dist', 'src', 'launch', 'run-bundle.js');

let tmp: { dir: string; cleanup: () => void };
before(() => {
  tmp = tempDir('rnx-code-cache-');
});
after(() => tmp.cleanup());

/** A bundle whose functions run only when called, as rnx's do, and that prints its answer. */
function bundleSource(answer: string): string {
  const fns = Array.from(
    { length: 200 },
    (_, i) => `function f${String(i)}(x) { return x.map((v) => v * ${String(i)} + 1).join(','); }`,
  ).join('\n');
  return `'use strict';\n${fns}\nlet total = 0;\n${Array.from({ length: 200 }, (_, i) => `total += f${String(i)}([1, 2]).length;`).join('\n')}\nprocess.stdout.write(${JSON.stringify(answer)} + ' ' + String(total) + ' ' + typeof require + ' ' + __filename + '\\n');\n`;
}

/** What that bundle counts, worked out here. */
const TOTAL = String(
  Array.from({ length: 200 }, (_, i) => [1, 2].map((v) => v * i + 1).join(',').length).reduce(
    (a, b) => a + b,
  ),
);

/** Runs the bundle through runBundle in a child Node: [how it loaded, what the bundle printed]. */
function run(
  bundle: string,
  cacheDir: string,
  argv: readonly string[] = ['workflow', 'validate'],
  nodeFlags: readonly string[] = [],
  env: NodeJS.ProcessEnv = {},
): [string, string] {
  const out = execFileSync(
    process.execPath,
    [
      ...nodeFlags,
      '--input-type=module',
      '-e',
      `const { runBundle } = await import(${JSON.stringify(RUNNER)});
       const how = runBundle(${JSON.stringify(bundle)}, ${JSON.stringify(argv)}, process.env);
       process.stdout.write(how + '\\n');`,
    ],
    { env: { ...process.env, ...env, RNX_CACHE_DIR: cacheDir }, encoding: 'utf8' },
  );
  const [printed = '', how = ''] = out.trimEnd().split('\n');
  return [how, printed];
}

function freshBundle(name: string, answer = 'forty-two'): string {
  const dir = join(tmp.dir, name);
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'main.cjs');
  writeFileSync(file, bundleSource(answer));
  return file;
}

/** The cache file of `command` for this bundle run by this Node. */
function fileOf(cache: string, bundle: string, command = 'workflow-validate'): string {
  return cacheFile(cache, identityOf(bundle, statSync(bundle), command));
}

describe('the code cache', () => {
  it('is written after a successful run and used by the next', () => {
    const bundle = freshBundle('used');
    const cache = join(tmp.dir, 'used-cache');
    const first = run(bundle, cache);
    assert.equal(first[0], 'compiled');
    assert.match(first[1], new RegExp(`^forty-two ${TOTAL} function .*main\\.cjs$`));
    assert.ok(existsSync(fileOf(cache, bundle)));
    assert.equal(statSync(cache).mode & 0o777, 0o700);
    assert.equal(statSync(fileOf(cache, bundle)).mode & 0o777, 0o600);
    assert.deepEqual(run(bundle, cache), ['cached', first[1]]);
    // Another command has a cache of its own.
    assert.equal(run(bundle, cache, ['job', 'run'])[0], 'compiled');
    assert.equal(run(bundle, cache, ['job', 'run'])[0], 'cached');
  });

  it("is shared by the installed command (bin/rnx's V8 flags) and `node bin/rnx.js`", () => {
    const bundle = freshBundle('flags');
    const cache = join(tmp.dir, 'flags-cache');
    const launcherFlags = ['--min-semi-space-size=8'];
    assert.equal(run(bundle, cache, ['workflow', 'validate'], launcherFlags)[0], 'compiled');
    assert.equal(run(bundle, cache)[0], 'cached');
    assert.equal(run(bundle, cache, ['workflow', 'validate'], launcherFlags)[0], 'cached');
  });

  it('is not used for another bundle, even one of the same size', () => {
    const bundle = freshBundle('other', 'forty-two');
    const cache = join(tmp.dir, 'other-cache');
    run(bundle, cache);
    assert.equal(run(bundle, cache)[0], 'cached');
    // Same length, other text: V8 alone (which checks the length) would take the cache.
    writeFileSync(bundle, bundleSource('forty-six'));
    assert.deepEqual(run(bundle, cache), ['compiled', `forty-six ${TOTAL} function ${bundle}`]);
    assert.equal(run(bundle, cache)[0], 'cached');
  });

  it('a damaged cache gives a correct run and is written again', () => {
    const bundle = freshBundle('damaged');
    const cache = join(tmp.dir, 'damaged-cache');
    const good = run(bundle, cache)[1];
    const file = fileOf(cache, bundle);
    const bytes = readFileSync(file);
    // Bytes flipped in the middle of V8's data (past the header line).
    for (let i = Math.floor(bytes.length / 2); i < bytes.length / 2 + 64; i++) {
      bytes[i] = (bytes[i] ?? 0) ^ 0x5a;
    }
    writeFileSync(file, bytes);
    assert.deepEqual(run(bundle, cache), ['compiled', good]);
    assert.notDeepEqual(readFileSync(file), bytes);
    assert.equal(run(bundle, cache)[0], 'cached');
    // Cut short, and garbage.
    writeFileSync(file, readFileSync(file).subarray(0, 200));
    assert.deepEqual(run(bundle, cache), ['compiled', good]);
    writeFileSync(file, 'not a cache at all');
    assert.deepEqual(run(bundle, cache), ['compiled', good]);
    assert.equal(run(bundle, cache)[0], 'cached');
  });

  it('is neither used nor written where someone else can write, or nowhere at all', () => {
    const bundle = freshBundle('foreign');
    const cache = join(tmp.dir, 'foreign-cache');
    run(bundle, cache);
    assert.equal(run(bundle, cache)[0], 'cached');
    chmodSync(cache, 0o777);
    assert.equal(run(bundle, cache)[0], 'required');
    chmodSync(cache, 0o700);
    chownSync(fileOf(cache, bundle), 65534, 65534);
    // Not this user's file: not read (the run compiles), and replaced by this user's own.
    assert.equal(run(bundle, cache)[0], 'compiled');
    assert.equal(statSync(fileOf(cache, bundle)).uid, process.geteuid?.());
    // A file where the directory should be: rnx runs without a cache.
    const notDir = join(tmp.dir, 'a-file');
    writeFileSync(notDir, '');
    const [how, printed] = run(bundle, notDir);
    assert.equal(how, 'required');
    assert.match(printed, new RegExp(`^forty-two ${TOTAL} `));
    assert.equal(run(bundle, '')[0], 'required');
  });

  it("without one, nothing is written anywhere: not Node's compile cache under the shared tmp", () => {
    const bundle = freshBundle('no-cache');
    const shared = join(tmp.dir, 'shared-tmp');
    mkdirSync(shared);
    const foreign = join(tmp.dir, 'open-cache');
    mkdirSync(foreign, { mode: 0o777 });
    chmodSync(foreign, 0o777);
    for (const cache of ['', foreign]) {
      const [how, printed] = run(bundle, cache, ['workflow', 'validate'], [], { TMPDIR: shared });
      assert.equal(how, 'required');
      assert.match(printed, new RegExp(`^forty-two ${TOTAL} `));
    }
    // Node's compile cache would be TMPDIR/node-compile-cache (os.tmpdir()).
    assert.deepEqual(readdirSync(shared), []);
    assert.deepEqual(readdirSync(foreign), []);
  });

  it('is not written after a failed run or a run for help', () => {
    const dir = join(tmp.dir, 'failing');
    mkdirSync(dir);
    const bundle = join(dir, 'main.cjs');
    writeFileSync(bundle, "'use strict';\nprocess.exitCode = 1;\n");
    const cache = join(tmp.dir, 'failing-cache');
    assert.throws(() => run(bundle, cache), { status: 1 });
    assert.equal(existsSync(fileOf(cache, bundle)), false);
    const helped = freshBundle('help');
    run(helped, cache, ['job', 'run', '--help']);
    assert.equal(existsSync(fileOf(cache, helped, 'job-run')), false);
  });
});

describe('code cache parts', () => {
  it('finds its directory like other per-user caches', () => {
    assert.equal(cacheDirFor({ RNX_CACHE_DIR: '/c', HOME: '/h' }), '/c');
    assert.equal(cacheDirFor({ RNX_CACHE_DIR: '', HOME: '/h' }), undefined);
    assert.equal(cacheDirFor({ XDG_CACHE_HOME: '/x', HOME: '/h' }), '/x/rnx');
    assert.equal(cacheDirFor({ XDG_CACHE_HOME: 'relative', HOME: '/h' }), '/h/.cache/rnx');
    assert.equal(cacheDirFor({ HOME: '/h' }), '/h/.cache/rnx');
    assert.equal(cacheDirFor({}), undefined);
  });

  it('names a cache by the command', () => {
    assert.equal(commandKey(['workflow', 'validate', 'w.yaml']), 'workflow-validate');
    assert.equal(commandKey(['job', 'run', '--network=none', 'true']), 'job-run');
    assert.equal(commandKey(['job', 'run', '--workflow=w.yaml']), 'job-run-workflow');
    assert.equal(commandKey(['job', 'run', '-q', '--workflow', 'w.yaml']), 'job-run-workflow');
    assert.equal(commandKey(['job', 'run', 'echo', '--workflow=x']), 'job-run');
    assert.equal(commandKey(['--version']), 'rnx');
    assert.equal(commandKey(['job', '--help']), 'job');
    assert.equal(commandKey(['../x', 'y']), 'rnx');
    assert.equal(asksForHelp(['job', 'run', '-h']), true);
    assert.equal(asksForHelp(['job', 'run', '--', 'cmd', '--help']), false);
  });

  it('reads back what it wrote, for the same identity only', () => {
    const dir = join(tmp.dir, 'parts');
    const bundle = freshBundle('parts');
    const identity = identityOf(bundle, statSync(bundle), 'job-run');
    assert.equal(
      writeCache(dir, identity, 2, () => Buffer.from('data')),
      true,
    );
    assert.deepEqual(readCache(dir, identity), { data: Buffer.from('data'), runs: 2 });
    assert.equal(readCache(dir, { ...identity, node: 'v0.0.0' }), undefined);
    assert.equal(readCache(dir, { ...identity, command: 'job-list' }), undefined);
    writeFileSync(bundle, bundleSource('changed'));
    assert.equal(readCache(dir, identityOf(bundle, statSync(bundle), 'job-run')), undefined);
  });

  it("starts V8's data at an aligned offset, and reads it into the caller's buffer when it fits", () => {
    const bundle = freshBundle('aligned');
    const base = identityOf(bundle, statSync(bundle), 'job-run');
    // Headers of every length modulo the alignment: the data always starts on a boundary.
    for (let extra = 0; extra < 2 * DATA_ALIGNMENT; extra++) {
      const identity = { ...base, node: `${base.node}${'x'.repeat(extra)}` };
      const line = headerLine(identity, 1);
      assert.equal(line.length % DATA_ALIGNMENT, 0, `header of ${String(line.length)} bytes`);
      assert.equal(line.at(-1), 10);
    }
    const dir = join(tmp.dir, 'aligned');
    writeCache(dir, base, 1, () => Buffer.from('v8 data'));
    const bytes = readFileSync(cacheFile(dir, base));
    assert.equal(bytes.indexOf(10) + 1, bytes.length - 'v8 data'.length);
    assert.equal((bytes.indexOf(10) + 1) % DATA_ALIGNMENT, 0);
    // A buffer large enough holds the file: the data is a view of it, not a copy.
    const scratch = Buffer.alloc(bytes.length + 100);
    const loaded = readCache(dir, base, scratch);
    assert.deepEqual(loaded?.data, Buffer.from('v8 data'));
    assert.equal(loaded?.data.buffer, scratch.buffer);
    // A buffer too small is left alone.
    const small = Buffer.alloc(8);
    assert.notEqual(readCache(dir, base, small)?.data.buffer, small.buffer);
    assert.deepEqual(small, Buffer.alloc(8));
  });

  it('keeps a file per install: two rnx sharing a directory do not replace each other', () => {
    const cache = join(tmp.dir, 'places-cache');
    const one = freshBundle('place-one');
    const two = freshBundle('place-two');
    assert.equal(run(one, cache)[0], 'compiled');
    assert.equal(run(two, cache)[0], 'compiled');
    assert.equal(run(one, cache)[0], 'cached');
    assert.equal(run(two, cache)[0], 'cached');
    assert.notEqual(fileOf(cache, one), fileOf(cache, two));
    // Beyond MAX_PLACES installs, the files written longest ago go (here: the first ones).
    const more = Array.from({ length: MAX_PLACES }, (_, i) => freshBundle(`place-${String(i)}`));
    for (const bundle of more) run(bundle, cache);
    const kept = readdirSync(cache).filter((name) => name.startsWith('workflow-validate.'));
    assert.deepEqual(kept.sort(), more.map((bundle) => basename(fileOf(cache, bundle))).sort());
    assert.equal(placeTag('/a/main.cjs\0/usr/bin/node'), placeTag('/a/main.cjs\0/usr/bin/node'));
    assert.match(placeTag(''), /^[0-9a-f]{8}$/);
  });
});
