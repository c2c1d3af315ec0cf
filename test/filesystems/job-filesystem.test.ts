/**
 * The job filesystem layer with real mounts, as root, inside the test namespace: the steps from
 * prepareJobFilesystem made by bubblewrap exactly as the runner's start makes them.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  jobFilesystemDir,
  prepareJobFilesystem,
} from '../../src/isolation/filesystem/job-filesystem.js';
import { addRuntime } from '../../src/isolation/filesystem/runtimes.js';
import { createVolume, getVolume } from '../../src/isolation/filesystem/volumes.js';
import { openDatabase, type Database } from '../../src/state/database.js';
import { tempDir } from '../helpers/cli.js';
import { fsSpec, makeBusyboxRootfs, mountTable, runFsJob } from '../helpers/fs-job.js';

describe('job filesystem', () => {
  const scratch = tempDir('rnx-fs-');
  const state = join(scratch.dir, 'state');
  let db: Database;
  let mountsBefore: string;

  before(() => {
    db = openDatabase(state);
    mountsBefore = mountTable();
  });
  after(() => {
    db.close();
    scratch.cleanup();
  });

  it("cannot create a file in the host's /usr or /etc", async () => {
    const r = await runFsJob(db, state, fsSpec(), [
      'sh',
      '-c',
      'touch /usr/rnx-probe; echo usr=$?; touch /etc/rnx-probe; echo etc=$?; touch /rnx-probe; echo root=$?',
    ]);
    assert.match(r.stdout, /usr=1\netc=1\nroot=1/);
    assert.match(r.stderr, /Read-only file system/);
    assert.equal(existsSync('/usr/rnx-probe'), false);
    assert.equal(existsSync('/etc/rnx-probe'), false);
  });

  it("still runs the host's programs", async () => {
    const r = await runFsJob(db, state, fsSpec(), ['sh', '-c', 'pwd; ls /usr/bin/env']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, '/work\n/usr/bin/env\n');
  });

  it('shows separate host mounts, and mounts below them, read-only', async () => {
    const top = `/srv/rnx-test-${String(process.pid)}`;
    mkdirSync(top);
    try {
      execFileSync('mount', ['-t', 'tmpfs', 'rnx-test-top', top]);
      mkdirSync(join(top, 'inner'));
      writeFileSync(join(top, 'a'), 'top\n');
      execFileSync('mount', ['-t', 'tmpfs', 'rnx-test-inner', join(top, 'inner')]);
      writeFileSync(join(top, 'inner', 'b'), 'inner\n');
      const r = await runFsJob(db, state, fsSpec(), [
        'sh',
        '-c',
        `cat ${top}/a ${top}/inner/b; touch ${top}/x 2>/dev/null || echo top=ro; touch ${top}/inner/x 2>/dev/null || echo inner=ro`,
      ]);
      assert.equal(r.stdout, 'top\ninner\ntop=ro\ninner=ro\n', r.stderr);
    } finally {
      execFileSync('umount', ['-R', top]);
      rmSync(top, { recursive: true });
    }
  });

  it("shows an empty host directory of root's as the same empty read-only directory, not a bind", async () => {
    const empty = `/rnx-test-empty-${String(process.pid)}`;
    const full = `/rnx-test-full-${String(process.pid)}`;
    mkdirSync(empty, { mode: 0o750 });
    chmodSync(empty, 0o750);
    mkdirSync(full);
    writeFileSync(join(full, 'a'), 'a\n');
    try {
      const r = await runFsJob(db, state, fsSpec(), [
        'sh',
        '-c',
        `stat -c '%a %u:%g' ${empty}; ls -A ${empty} | wc -l; touch ${empty}/x 2>/dev/null || echo empty=ro; ` +
          `cat ${full}/a; touch ${full}/x 2>/dev/null || echo full=ro; ` +
          `awk '$5 == "${empty}" || $5 == "${full}" { print $5 }' /proc/self/mountinfo`,
      ]);
      assert.equal(r.stdout, `750 0:0\n0\nempty=ro\na\nfull=ro\n${full}\n`, r.stderr);
    } finally {
      rmSync(empty, { recursive: true });
      rmSync(full, { recursive: true });
    }
  });

  it('gets an empty private /tmp that is gone afterwards', async () => {
    writeFileSync('/tmp/rnx-host-marker', 'host');
    const first = await runFsJob(db, state, fsSpec(), [
      'sh',
      '-c',
      'ls -A /tmp; echo job > /tmp/rnx-job-marker && echo wrote',
    ]);
    assert.equal(first.stdout, 'wrote\n', first.stderr);
    assert.equal(existsSync('/tmp/rnx-job-marker'), false);
    const second = await runFsJob(db, state, fsSpec(), ['ls', '-A', '/tmp']);
    rmSync('/tmp/rnx-host-marker');
    assert.equal(second.stdout, '');
  });

  it('has its own /proc and a read-only /proc/sys and /sys', async () => {
    const r = await runFsJob(db, state, fsSpec(), [
      'sh',
      '-c',
      'ls /proc | grep -c "^[0-9]"; (echo 1 > /proc/sys/vm/drop_caches) 2>/dev/null || echo sys=refused; touch /sys/x 2>/dev/null || echo sysfs=refused',
    ]);
    const [processes, ...rest] = r.stdout.trim().split('\n');
    assert.ok(Number(processes) <= 3, `saw ${String(processes)} processes`);
    assert.deepEqual(rest, ['sys=refused', 'sysfs=refused']);
  });

  it('copies uploads into /work with their contents', async () => {
    const src = join(scratch.dir, 'src');
    mkdirSync(join(src, 'models', 'v1'), { recursive: true });
    writeFileSync(join(src, 'app.py'), 'print("hi")\n');
    writeFileSync(join(src, 'models', 'v1', 'weights.bin'), 'w1');
    const spec = fsSpec({
      uploads: { files: [join(src, 'app.py')], directories: [join(src, 'models')] },
    });
    const r = await runFsJob(db, state, spec, [
      'sh',
      '-c',
      'cat /work/app.py /work/models/v1/weights.bin; echo; echo new > /work/out && echo ok',
    ]);
    assert.equal(r.stdout, 'print("hi")\nw1\nok\n', r.stderr);
    assert.equal(existsSync(jobFilesystemDir(state, spec.id)), false, 'workspace removed');
  });

  it('keeps volume data between two jobs, mounted read-write at /volumes/NAME', async () => {
    assert.ok(createVolume(db, state, 'keep').ok);
    const write = await runFsJob(db, state, fsSpec({ volumes: ['keep'] }), [
      'sh',
      '-c',
      'echo first > /volumes/keep/data',
    ]);
    assert.equal(write.code, 0, write.stderr);
    const read = await runFsJob(db, state, fsSpec({ volumes: ['keep'] }), [
      'cat',
      '/volumes/keep/data',
    ]);
    assert.equal(read.stdout, 'first\n');
    assert.deepEqual(getVolume(db, state, 'keep')?.usedBy, []);
  });

  it("hides the state directory (other jobs' volumes) from a job", async () => {
    // A state directory outside /tmp, as /var/lib/rnx would be.
    const varState = join('/var/tmp', `rnx-state-${String(process.pid)}`);
    const other = openDatabase(varState);
    try {
      assert.ok(createVolume(other, varState, 'secret').ok);
      writeFileSync(join(varState, 'volumes', 'secret', 'key'), 'k');
      const r = await runFsJob(other, varState, fsSpec(), ['ls', '-A', varState]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, '');
    } finally {
      other.close();
      rmSync(varState, { recursive: true, force: true });
    }
  });

  it("runs on a runtime: sees the runtime's /etc/os-release, and its writes do not reach the tree", async () => {
    const rootfs = makeBusyboxRootfs(join(scratch.dir, 'tiny'), 'rnx tiny');
    assert.ok(addRuntime(db, 'tiny', rootfs, '/').ok);
    assert.ok(createVolume(db, state, 'shared').ok);
    const hosts = join(scratch.dir, 'hosts');
    writeFileSync(hosts, '10.0.0.2 job\n');
    const r = await runFsJob(
      db,
      state,
      fsSpec({ runtime: 'tiny', volumes: ['shared'] }),
      [
        'sh',
        '-c',
        'cat /etc/os-release /etc/hosts; echo changed > /etc/os-release; touch /bin/new /volumes/shared/v; ls /',
      ],
      { files: { hostsFile: hosts } },
    );
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^NAME="rnx tiny"\nID=rnxtest\n10\.0\.0\.2 job\n/);
    assert.match(r.stdout, /\nbin\ndev\netc\nproc\nrun\nsys\ntmp\nvolumes\nwork\n$/);
    assert.equal(
      readFileSync(join(rootfs, 'etc', 'os-release'), 'utf8'),
      'NAME="rnx tiny"\nID=rnxtest\n',
    );
    assert.deepEqual(readdirSync(rootfs).sort(), ['bin', 'etc']);
    assert.equal(existsSync(join(rootfs, 'bin', 'new')), false);
    assert.equal(existsSync(join(state, 'volumes', 'shared', 'v')), true);
  });

  it('fails before the command when a mount cannot be made, leaving nothing', async () => {
    const rootfs = makeBusyboxRootfs(join(scratch.dir, 'gone'), 'gone');
    assert.ok(addRuntime(db, 'gone', rootfs, '/').ok);
    const spec = fsSpec({ runtime: 'gone' });
    // Break the runtime after it was registered: overlay refuses a lower layer that is a file.
    rmSync(rootfs, { recursive: true, force: true });
    writeFileSync(rootfs, 'not a directory');
    const prepared = await prepareJobFilesystem(db, state, spec);
    assert.equal(prepared.ok, false);
    if (!prepared.ok) {
      assert.equal(prepared.problem.code, 'mount-failed');
      assert.match(
        prepared.problem.message,
        /writable layer could not be mounted: .*wrong fs type/,
      );
    }
    assert.equal(mountTable(), mountsBefore);
    assert.equal(existsSync(jobFilesystemDir(state, spec.id)), false);
  });

  it('leaves no mount behind, even when the job is killed', async () => {
    const spec = fsSpec({ volumes: ['keep'] });
    const started = join(jobFilesystemDir(state, spec.id), 'work', 'started');
    // Killed once it runs in its new root (it wrote /work/started), every mount in place.
    const r = await runFsJob(db, state, spec, ['sh', '-c', 'touch /work/started; sleep 30'], {
      onSpawn: (pid) => {
        const poll = setInterval(() => {
          if (!existsSync(started)) return;
          clearInterval(poll);
          process.kill(pid, 'SIGKILL');
        }, 20);
      },
    });
    assert.equal(r.signal, 'SIGKILL');
    assert.equal(mountTable(), mountsBefore);
    assert.deepEqual(readdirSync(join(state, 'fs')), []);
  });
});
