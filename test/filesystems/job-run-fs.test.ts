/**
 * `rnx job run` end to end with the job filesystem: real namespaces and mounts, as root, inside the
 * test namespace.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { RNX_BIN, runCli, tempDir } from '../helpers/cli.js';
import { makeBusyboxRootfs, mountTable } from '../helpers/fs-job.js';

describe('rnx job run with the job filesystem', () => {
  const t = tempDir('rnx-job-fs-');
  const stateDir = join(t.dir, 'state');
  const work = join(t.dir, 'project');
  let mountsBefore: string;
  const rnx = (...args: string[]) => runCli(args, { stateDir, cwd: work });
  const job = (...args: string[]) => rnx('job', 'run', '--network=none', ...args);

  before(() => {
    mkdirSync(join(work, 'conf'), { recursive: true });
    writeFileSync(join(work, 'nginx.conf'), 'worker_processes 1;\n');
    writeFileSync(join(work, 'conf', 'a.ini'), '[a]\n');
    mountsBefore = mountTable();
  });
  after(() => t.cleanup());

  it("cannot write to the host's /usr or /etc, and works in /work", async () => {
    const r = await job(
      'sh',
      '-c',
      'touch /usr/x || touch /etc/x || pwd && touch /work/ok && ls /work',
    );
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, '/work\nok\n');
    assert.match(r.stderr, /touch: cannot touch '\/usr\/x': Read-only file system/);
    assert.equal(existsSync('/usr/x') || existsSync('/etc/x'), false);
  });

  it('has /work as HOME, and a volume named twice is mounted once', async () => {
    assert.equal((await rnx('volume', 'create', 'twice')).code, 0);
    const r = await job(
      '--volume=twice',
      '--volume=twice',
      'sh',
      '-c',
      'echo "$HOME"; touch ~/.rc && ls -A /work /volumes',
    );
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, '/work\n/volumes:\ntwice\n\n/work:\n.rc\n');
    assert.equal((await rnx('volume', 'remove', 'twice')).code, 0);
  });

  it('copies --upload and --upload-dir into /work', async () => {
    const r = await job(
      '--upload=nginx.conf',
      '--upload-dir=conf',
      'sh',
      '-c',
      'cat /work/nginx.conf /work/conf/a.ini',
    );
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'worker_processes 1;\n[a]\n');
  });

  it('uploads any readable path the person names: absolute, or outside the working directory', async () => {
    const elsewhere = join(t.dir, 'elsewhere');
    mkdirSync(join(elsewhere, 'models'), { recursive: true });
    writeFileSync(join(elsewhere, 'data.csv'), 'a,b\n');
    writeFileSync(join(elsewhere, 'models', 'm.bin'), 'weights\n');
    const r = await job(
      `--upload=${join(elsewhere, 'data.csv')}`,
      '--upload-dir=../elsewhere/models',
      'sh',
      '-c',
      'cat /work/data.csv /work/models/m.bin',
    );
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'a,b\nweights\n');
  });

  it('refuses an upload that does not exist, before anything starts', async () => {
    const before = (await rnx('job', 'list', '--json')).stdout;
    for (const flag of [`--upload=${join(t.dir, 'nope.csv')}`, '--upload-dir=../nope']) {
      const r = await job(flag, 'true');
      assert.equal(r.code, 2, flag);
      assert.match(r.stderr, /rnx: upload '.*' does not exist/);
    }
    assert.equal((await rnx('job', 'list', '--json')).stdout, before);
  });

  it('keeps volume data between jobs, and refuses to remove the volume while a job uses it', async () => {
    assert.equal((await rnx('volume', 'create', 'cache')).code, 0);
    const writer = await job('--volume=cache', 'sh', '-c', 'echo one > /volumes/cache/v');
    assert.equal(writer.code, 0, writer.stderr);
    const running = job('--volume=cache', 'sh', '-c', 'cat /volumes/cache/v; sleep 2');
    await waitFor(
      async () => (await rnx('volume', 'list')).stdout.match(/cache\s+\S+-?\w/) !== null,
    );
    const refused = await rnx('volume', 'remove', 'cache');
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /volume 'cache' is used by running job/);
    const reader = await running;
    assert.equal(reader.stdout, 'one\n');
    assert.equal((await rnx('volume', 'remove', 'cache')).code, 0);
  });

  it("runs on a runtime: the runtime's /etc/os-release, and the tree is not changed", async () => {
    const rootfs = makeBusyboxRootfs(join(t.dir, 'tiny'), 'tiny linux');
    assert.equal((await rnx('runtime', 'add', 'tiny', rootfs)).code, 0);
    const r = await job(
      '--runtime=tiny',
      'sh',
      '-c',
      'cat /etc/os-release; echo x > /etc/os-release; touch /bin/new; pwd',
    );
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'NAME="tiny linux"\nID=rnxtest\n/work\n');
    assert.equal(
      readFileSync(join(rootfs, 'etc', 'os-release'), 'utf8'),
      'NAME="tiny linux"\nID=rnxtest\n',
    );
    assert.equal(existsSync(join(rootfs, 'bin', 'new')), false);
    assert.notEqual(readFileSync('/etc/os-release', 'utf8'), r.stdout);
  });

  it('refuses a volume or runtime that does not exist before anything starts (exit 2)', async () => {
    const before = (await rnx('job', 'list', '--json', '--limit=0')).stdout;
    const volume = await job('--volume=nope', 'true');
    assert.equal(volume.code, 2);
    assert.match(volume.stderr, /volume 'nope' does not exist/);
    const runtime = await job('--runtime=nope', 'true');
    assert.equal(runtime.code, 2);
    assert.match(runtime.stderr, /runtime 'nope' is not registered/);
    // No job was recorded: nothing started, not even a FAILED record.
    assert.equal((await rnx('job', 'list', '--json', '--limit=0')).stdout, before);
  });

  it('lets no mount propagate out, even when the state directory sits on a shared mount', async () => {
    // A shared mount here would receive the job's mounts if the job's namespace were not private.
    const shared = tempDir('rnx-shared-');
    execFileSync('mount', ['-t', 'tmpfs', 'rnx-test-shared', shared.dir]);
    try {
      execFileSync('mount', ['--make-shared', shared.dir]);
      const sharedState = join(shared.dir, 'state');
      const running = runCli(
        ['job', 'run', '--network=none', 'sh', '-c', 'touch /work/started; sleep 1'],
        { stateDir: sharedState, cwd: work },
      );
      // Checked while the job runs in its new root (it wrote /work/started), every mount in place.
      const fsDir = join(sharedState, 'fs');
      await waitFor(() =>
        Promise.resolve(
          existsSync(fsDir) &&
            readdirSync(fsDir).some((id) => existsSync(join(fsDir, id, 'work', 'started'))),
        ),
      );
      const during = mountTable()
        .split('\n')
        .filter((m) => m.startsWith(`${shared.dir}/`));
      assert.equal((await running).code, 0);
      assert.deepEqual(during, []);
    } finally {
      execFileSync('umount', [shared.dir]);
      shared.cleanup();
    }
  });

  it('leaves no mount and no job directory behind, however the job ended', async () => {
    assert.equal((await job('sh', '-c', 'exit 3')).code, 3);
    const timedOut = await job('--timeout=300ms', 'sleep', '30');
    assert.notEqual(timedOut.code, 0);
    // rnx itself killed mid-job: the next rnx command removes what it left.
    const orphan = spawn(
      process.execPath,
      [RNX_BIN, 'job', 'run', '--network=none', 'sh', '-c', 'touch /work/started; sleep 30'],
      {
        cwd: work,
        env: { ...process.env, RNX_STATE_DIR: stateDir },
        stdio: 'ignore',
      },
    );
    const fsDir = join(stateDir, 'fs');
    await waitFor(() =>
      Promise.resolve(
        readdirSync(fsDir).some((id) => existsSync(join(fsDir, id, 'work', 'started'))),
      ),
    );
    orphan.kill('SIGKILL');
    const pruned = await rnx('system', 'prune');
    assert.equal(pruned.code, 0, pruned.stderr);
    assert.equal(mountTable(), mountsBefore);
    assert.deepEqual(readdirSync(join(stateDir, 'fs')), []);
  });
});

async function waitFor(check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('timed out waiting');
}
