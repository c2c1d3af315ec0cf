/**
 * What `npm pack` ships, installed the way a user installs it: `npm pack`, then `npm install -g
 * --prefix` into a temporary directory (offline: the tarball carries everything it runs), then the
 * installed `rnx` run from another directory with this machine's older Node (/usr/bin/node, v20)
 * first on PATH. Signals to the pid the user started reach rnx, and nothing of its job survives.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { REPO_ROOT, tempDir, waitForRunningJob } from '../helpers/cli.js';
import { leftovers } from '../helpers/leftovers.js';

const OLD_NODE = '/usr/bin/node';

interface Ran {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

let tmp: { dir: string; cleanup: () => void };
let prefix: string;
let work: string;
let state: string;
let env: NodeJS.ProcessEnv;
let oldNodeVersion = '';

/** Runs a program with the user's environment, collecting its output. */
function run(
  file: string,
  args: readonly string[],
  onStart?: (pid: number) => void,
  { ownGroup = false } = {},
): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, {
      cwd: work,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
      // In a process group of its own, as a terminal's foreground job: signalled as a group.
      detached: ownGroup,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('spawn', () => onStart?.(child.pid ?? 0));
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

const rnx = (args: readonly string[], onStart?: (pid: number) => void): Promise<Ran> =>
  run(join(prefix, 'bin', 'rnx'), args, onStart);

/** Starts a job on the bridge network (a lease, a veth, cgroups), signals `signal` to the pid started. */
async function signalWhileRunning(
  file: string,
  args: readonly string[],
  name: string,
  signal: NodeJS.Signals,
): Promise<{ ran: Ran; left: string[] }> {
  let started = 0;
  const done = run(file, [...args, 'job', 'run', `--name=${name}`, 'sleep', '300'], (pid) => {
    started = pid;
  });
  const job = await waitForRunningJob(rnx, name);
  process.kill(started, signal);
  const ran = await done;
  return { ran, left: leftovers(state, [job.id], [job.pid]) };
}

describe('npm pack, npm install -g --prefix, and the installed rnx', () => {
  before(() => {
    tmp = tempDir('rnx-pack-');
    prefix = join(tmp.dir, 'prefix');
    work = join(tmp.dir, 'elsewhere');
    state = join(tmp.dir, 'state');
    mkdirSync(work);
    oldNodeVersion = execFileSync(OLD_NODE, ['--version'], { encoding: 'utf8' }).trim();
    const { RNX_NODE: _unset, ...rest } = process.env;
    env = {
      ...rest,
      PATH: `/usr/bin:/usr/sbin:/bin:/sbin:${join(prefix, 'bin')}`,
      RNX_STATE_DIR: state,
      NO_COLOR: '1',
    };
  });
  after(() => tmp.cleanup());

  it('npm pack ships the bundle, rnx-sandbox, the launchers and the schema, nothing else', () => {
    const started = performance.now();
    execFileSync(
      'npm',
      ['pack', REPO_ROOT, '--ignore-scripts', '--pack-destination', tmp.dir, '--silent'],
      { cwd: tmp.dir, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const tarball = readdirSync(tmp.dir).find((f) => f.endsWith('.tgz'));
    assert.ok(tarball !== undefined, 'no tarball');
    const files = execFileSync('tar', ['tzf', join(tmp.dir, tarball)], { encoding: 'utf8' })
      .trim()
      .split('\n');
    assert.ok(files.includes('package/bin/rnx'));
    assert.ok(files.includes('package/bin/rnx.js'));
    assert.ok(files.includes('package/dist/rnx/main.cjs'));
    // Its source map, for RNX_DEBUG=1's stack traces (the bundle is minified).
    assert.ok(files.includes('package/dist/rnx/main.cjs.map'));
    // Compiled by npm run build (which npm pack runs first) for this machine's architecture.
    assert.ok(files.includes('package/dist/rnx/rnx-sandbox'));
    assert.ok(files.includes('package/schemas/workflow.schema.json'));
    const unexpected = files.filter(
      (f) =>
        !/^package\/(bin\/rnx(\.js)?|dist\/rnx\/([^/]+\.c?js(\.map)?|rnx-sandbox)|schemas\/[^/]+|README\.md|package\.json)$/.test(
          f,
        ),
    );
    assert.deepEqual(unexpected, []);
    execFileSync(
      'npm',
      [
        'install',
        '--global',
        '--prefix',
        prefix,
        '--offline',
        // No install scripts: the optional dependency `node` stays without its binary, as with a
        // user's --ignore-scripts; a later test puts Node 24 where its script would.
        '--ignore-scripts',
        '--no-audit',
        '--no-fund',
        '--silent',
        join(tmp.dir, tarball),
      ],
      { cwd: tmp.dir, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    console.log(
      `# npm pack + npm install -g --offline: ${(performance.now() - started).toFixed(0)} ms, ${String(files.length)} files`,
    );
  });

  it('with only an older Node, says what to do and exits 3', async () => {
    assert.ok(/^v(1\d|20|21|22\.(\d|1[0-7])\.)/.test(oldNodeVersion), oldNodeVersion);
    const r = await rnx(['--version']);
    assert.equal(r.code, 3);
    // Whatever older Node this host has (20 on this machine kind, 18 on a plain Debian 12).
    assert.ok(
      r.stderr.includes(`needs Node.js 22.18 or newer; /usr/bin/node is ${oldNodeVersion}`),
      r.stderr,
    );
    assert.match(r.stderr, /first on PATH or set RNX_NODE=.*--allow-scripts=node/);
  });

  it('with the Node 24 npm installs beside it: --version, workflow validate, job run', async () => {
    // What the install script of the optional dependency `node` does: Node 24 in its bin/.
    const nodeBin = join(prefix, 'lib', 'node_modules', 'rnx', 'node_modules', 'node', 'bin');
    mkdirSync(nodeBin, { recursive: true });
    symlinkSync(process.execPath, join(nodeBin, 'node'));

    const version = await rnx(['--version']);
    assert.equal(version.code, 0, version.stderr);
    assert.match(version.stdout, /^\d+\.\d+\.\d+\n$/);

    writeFileSync(
      join(work, 'two.yaml'),
      'jobs:\n  a: { command: echo, args: [a] }\n  b: { command: echo, args: [b], requires: [a: COMPLETED] }\n',
    );
    const valid = await rnx(['workflow', 'validate', 'two.yaml']);
    assert.equal(valid.code, 0, valid.stderr);
    assert.match(valid.stdout, /two\.yaml: valid \(2 jobs\)/);

    const job = await rnx(['job', 'run', '--network=none', 'sh', '-c', 'echo "in $PWD"']);
    assert.equal(job.code, 0, job.stderr);
    assert.equal(job.stdout, 'in /work\n');

    // The installed rnx sets jobs up with the rnx-sandbox it shipped with.
    const check = await rnx(['system', 'check', '--json']);
    const items = JSON.parse(check.stdout) as { name: string; detail: string }[];
    assert.equal(
      items.find((item) => item.name === 'sandbox')?.detail,
      `rnx-sandbox ${join(prefix, 'lib', 'node_modules', 'rnx', 'dist', 'rnx', 'rnx-sandbox')}`,
    );
  });

  for (const signal of ['SIGTERM', 'SIGHUP', 'SIGINT'] as const) {
    it(`${signal} to the installed rnx while a job runs: nothing of the job survives`, async () => {
      const { ran, left } = await signalWhileRunning(
        join(prefix, 'bin', 'rnx'),
        [],
        `pkg-${signal.toLowerCase()}`,
        signal,
      );
      assert.equal(ran.code, 130, ran.stderr);
      assert.deepEqual(left, []);
    });
  }

  it('started as `node rnx.js` by the older Node: forwards SIGTERM and mirrors the exit', async () => {
    const script = join(prefix, 'lib', 'node_modules', 'rnx', 'bin', 'rnx.js');
    const { ran, left } = await signalWhileRunning(OLD_NODE, [script], 'pkg-forward', 'SIGTERM');
    assert.equal(ran.code, 130, ran.stderr);
    assert.deepEqual(left, []);
  });

  it('started as `node rnx.js`: a Ctrl-C to the whole process group counts once', async () => {
    // A terminal sends Ctrl-C to every process of the foreground job: the launcher and rnx both
    // get it, and the launcher forwards it too; a second one would mean "kill the jobs now".
    const script = join(prefix, 'lib', 'node_modules', 'rnx', 'bin', 'rnx.js');
    writeFileSync(
      join(work, 'ctrl-c.yaml'),
      'jobs:\n  pkg-ctrl-c: { command: sleep, args: ["300"] }\n',
    );
    let group = 0;
    const done = run(
      OLD_NODE,
      [script, 'job', 'run', '--workflow=ctrl-c.yaml'],
      (pid) => (group = pid),
      { ownGroup: true },
    );
    const job = await waitForRunningJob(rnx, 'pkg-ctrl-c');
    process.kill(-group, 'SIGINT');
    const ran = await done;
    assert.equal(ran.code, 130, ran.stderr);
    assert.match(ran.stderr, /SIGINT: stopping the workflow/);
    assert.doesNotMatch(ran.stderr, /again: killing/);
    assert.deepEqual(leftovers(state, [job.id], [job.pid]), []);
  });
});
