/**
 * `user:` and `--user` for real: the job's uid, gid and supplementary groups as `id` sees them
 * inside, resolved in the job's own root (a runtime whose users the host lacks); /work, /tmp,
 * /dev/stdout and $RNX_OUTPUT writable by it; volume ownership (an empty volume claimed, a used
 * one left alone, `volume create --owner`); unknown users and groups refused with their place.
 */
import assert from 'node:assert/strict';
import { mkdirSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runJob } from '../../src/isolation/runner.js';
import { exitCodeFor } from '../../src/cli/exit-codes.js';
import { runCli, tempDir } from '../helpers/cli.js';
import { makeBusyboxRootfs } from '../helpers/fs-job.js';
import { outputOf, runWorkflowJson, writeWorkflow } from '../helpers/workflow.js';
import { jobSpec } from '../isolation/job-rig.js';

const state = tempDir();
const files = tempDir('rnx-users-');
const rnx = (args: readonly string[]) => runCli(args, { stateDir: state.dir });
/** `rnx job run --network=none FLAGS... COMMAND...` */
const job = (...args: string[]) => rnx(['job', 'run', '--network=none', ...args]);
/** A job on the runtime whose users the host lacks, as USER. */
const inRuntime = (user: string, ...command: string[]) =>
  job('--runtime=users', '-u', user, ...command);
/** `nobody` is in every Debian's /etc/passwd; its uid and group are 65534. */
const NOBODY = '65534';

before(async () => {
  // A runtime with users of its own: `app` (4321, group 4321, also in `tools` 5000) exists only
  // there; its /etc/passwd is an absolute symlink, which must resolve inside the runtime.
  const root = makeBusyboxRootfs(join(files.dir, 'rootfs'), 'users');
  for (const applet of ['id', 'stat']) symlinkSync('busybox', join(root, 'bin', applet));
  mkdirSync(join(root, 'etc', 'db'));
  writeFileSync(
    join(root, 'etc', 'db', 'passwd'),
    'root:x:0:0:root:/root:/bin/sh\napp:x:4321:4321::/home/app:/bin/sh\n',
  );
  symlinkSync('/etc/db/passwd', join(root, 'etc', 'passwd'));
  writeFileSync(join(root, 'etc', 'group'), 'root:x:0:\napp:x:4321:\ntools:x:5000:other,app\n');
  const added = await rnx(['runtime', 'add', 'users', root]);
  assert.equal(added.code, 0, added.stderr);
});

after(() => {
  state.cleanup();
  files.cleanup();
});

describe('jobs as another user', () => {
  it('runs a single job as a host user: uid, groups, /work, /tmp and /dev/stdout are its own', async () => {
    const r = await job(
      '--user=nobody',
      '--name=as-nobody',
      'sh',
      '-c',
      'id -u; id -G; echo w > /work/w && echo t > /tmp/t && stat -c %u /work /tmp/t; echo out > /dev/stdout; grep CapEff /proc/self/status',
    );
    assert.equal(r.code, 0, r.stderr);
    assert.equal(
      r.stdout,
      `${NOBODY}\n${NOBODY}\n${NOBODY}\n${NOBODY}\nout\nCapEff:\t0000000000000000\n`,
    );
    // Its record says who it ran as.
    const status = JSON.parse((await rnx(['job', 'status', 'as-nobody', '--json'])).stdout) as {
      user: unknown;
    };
    assert.deepEqual(status.user, { user: 'nobody', uid: 65534, gid: 65534, groups: [65534] });
    const text = await rnx(['job', 'status', 'as-nobody']);
    assert.match(text.stdout, /^user {5}nobody \(uid 65534, gid 65534, groups 65534\)$/m);
  });

  it("resolves a name in the runtime's own /etc/passwd and /etc/group, with supplementary groups", async () => {
    const r = await inRuntime(
      'app',
      'sh',
      '-c',
      'id -u; id -g; id -G; touch /work/x && stat -c %u:%g /work/x',
    );
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, '4321\n4321\n4321 5000\n4321:4321\n');
    // UID:GID: exactly those; a UID the root does not list runs with group 0, as in Docker.
    const pair = await inRuntime('7:8', 'id', '-G');
    assert.equal(pair.stdout, '8\n', pair.stderr);
    const bare = await inRuntime('7', 'id', '-G');
    assert.equal(bare.stdout, '0\n', bare.stderr);
    // NAME:GROUP replaces the primary group and keeps the user's other groups.
    const group = await inRuntime('app:tools', 'id', '-G');
    assert.equal(group.stdout, '5000\n', group.stderr);
  });

  it('refuses an unknown user or group before the job is recorded, exit 2', async () => {
    const before = (await rnx(['job', 'list', '--json', '--limit=0'])).stdout;
    const host = await job('--user=app', 'true');
    assert.equal(host.code, 2);
    assert.match(host.stderr, /^rnx: user 'app' does not exist in \/etc\/passwd of the host/);
    const group = await job('--runtime=users', '-u', 'app:tool', 'true');
    assert.equal(group.code, 2);
    assert.match(
      group.stderr,
      /group 'tool' does not exist in \/etc\/group of runtime 'users'; did you mean 'tools'\?/,
    );
    const bad = await job('--user=a:b:c', 'true');
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--user: user 'a:b:c' is not NAME, UID, NAME:GROUP or UID:GID/);
    assert.equal((await rnx(['job', 'list', '--json', '--limit=0'])).stdout, before);
  });

  it('fails the start of a job whose user its root lacks, with a typed problem and exit code 2', async () => {
    const ran = await runJob(
      jobSpec('true', [], { user: 'nosuchuser' }),
      {},
      { stateDir: state.dir },
    );
    assert.equal(ran.status, 'FAILED');
    assert.equal(ran.reason, 'start-failed');
    assert.equal(ran.problem?.code, 'user-unknown');
    assert.equal(exitCodeFor(ran.problem), 2);
  });

  it("makes an empty volume the user's, leaves a used one alone, and creates volumes --owner", async () => {
    assert.equal((await rnx(['volume', 'create', 'fresh'])).code, 0);
    const claimed = await job(
      '--user=nobody',
      '--volume=fresh',
      'sh',
      '-c',
      'echo data > /volumes/fresh/f && stat -c %u:%g /volumes/fresh /volumes/fresh/f',
    );
    assert.equal(claimed.code, 0, claimed.stderr);
    assert.equal(claimed.stdout, `${NOBODY}:${NOBODY}\n${NOBODY}:${NOBODY}\n`);
    // A root-owned volume that holds data stays root's: the user cannot write there.
    assert.equal((await rnx(['volume', 'create', 'used'])).code, 0);
    assert.equal((await job('--volume=used', 'touch', '/volumes/used/root-was-here')).code, 0);
    const refused = await job('--user=nobody', '--volume=used', 'touch', '/volumes/used/x');
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /Permission denied/);
    // --owner: a user of the host (and a group), or numbers.
    const owned = await rnx(['volume', 'create', 'pgdata', '--owner=nobody']);
    assert.equal(owned.code, 0, owned.stderr);
    assert.match(owned.stdout, /owned by 65534:65534/);
    const numbers = await rnx(['volume', 'create', 'cache', '--owner=1000:1001']);
    assert.equal(numbers.code, 0, numbers.stderr);
    const st = statSync(join(state.dir, 'volumes', 'cache'));
    assert.deepEqual([st.uid, st.gid], [1000, 1001]);
    const list = JSON.parse((await rnx(['volume', 'list', '--json'])).stdout) as {
      name: string;
      owner: { uid: number; gid: number };
    }[];
    assert.deepEqual(list.find((v) => v.name === 'pgdata')?.owner, { uid: 65534, gid: 65534 });
    const unknown = await rnx(['volume', 'create', 'nope', '--owner=nosuchuser']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /--owner: user 'nosuchuser' does not exist/);
    assert.equal((await rnx(['volume', 'list'])).stdout.includes('nope'), false);
  });

  it('runs workflow jobs as their user (defaults too): $RNX_OUTPUT, artifacts and the exec probe', async () => {
    const file = writeWorkflow(
      files.dir,
      'users',
      `defaults:
  user: nobody
jobs:
  build:
    command: sh
    args: ['-c', 'id -u; mkdir dist && echo app > dist/app && echo "who=$(id -u)" >> "$RNX_OUTPUT"']
    network: none
    artifacts: [dist/app]
  app:
    command: sh
    args: ['-c', 'id -G; echo "\${jobs.build.outputs.who}"; cat /artifacts/build/dist/app']
    network: none
    runtime: users
    user: app
    requires: [build: COMPLETED]
  service:
    command: sleep
    args: ['30']
    network: none
    # The exec probe runs as the job's user: as root it would never pass.
    ready: { exec: [sh, -c, 'test "$(id -u)" = ${NOBODY}'], interval: 100ms, timeout: 20s }
  client:
    command: 'true'
    network: none
    requires: [service: RUNNING]
`,
    );
    const r = await runWorkflowJson(file, state.dir);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(outputOf(r.events, 'build'), [NOBODY]);
    assert.deepEqual(outputOf(r.events, 'app'), ['4321 5000', NOBODY, 'app']);
    assert.deepEqual(Object.fromEntries(r.finished.jobs.map((j) => [j.job, j.status])), {
      build: 'COMPLETED',
      app: 'COMPLETED',
      service: 'STOPPED',
      client: 'COMPLETED',
    });
  });

  it('reports an unknown user at its place when validating, in the root the job gets', async () => {
    const file = writeWorkflow(
      files.dir,
      'unknown-user',
      `jobs:
  on-host:
    command: 'true'
    user: app
  in-runtime:
    command: 'true'
    runtime: users
    user: app
`,
    );
    const r = await rnx(['workflow', 'validate', file]);
    assert.equal(r.code, 2);
    assert.match(
      r.stdout + r.stderr,
      /unknown-user\.yaml:4:11 error user-unknown: job 'on-host': user 'app' does not exist in \/etc\/passwd of the host/,
    );
    assert.doesNotMatch(r.stdout + r.stderr, /in-runtime/);
    // Linting on another machine leaves the host's users out.
    const lint = await rnx(['workflow', 'validate', '--skip-environment', file]);
    assert.equal(lint.code, 0, lint.stderr);
  });
});
