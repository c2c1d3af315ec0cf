import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  outermost,
  planMounts,
  type MountPlanInput,
  type MountStep,
} from '../../src/isolation/filesystem/mount-plan.js';
import {
  fstabField,
  renderMountSteps,
  shellQuote,
  standaloneScript,
} from '../../src/isolation/filesystem/mount-script.js';

const base: MountPlanInput = {
  mountDir: '/var/lib/rnx/mnt',
  workspace: '/var/lib/rnx/fs/j1/work',
  volumes: [{ name: 'data', path: '/var/lib/rnx/volumes/data' }],
  hostMounts: ['/', '/proc', '/sys/fs/cgroup', '/home', '/home/alice', '/var/lib/rnx/x', '/tmp'],
  hidden: ['/var/lib/rnx'],
  hostsFile: '/run/rnx/j1/hosts',
};

function steps(input: MountPlanInput): MountStep[] {
  const plan = planMounts(input);
  assert.ok(plan.ok);
  return plan.value;
}

function mounts(list: MountStep[]): string[] {
  return list.map((s) => {
    switch (s.kind) {
      case 'mount':
        return `${s.type} ${s.target} ${s.options}`;
      case 'bind':
        return `bind${s.recursive ? ' -r' : ''}${s.readOnly ? ' ro' : ''} ${s.source} ${s.target}${s.makeTarget === true ? ' (mkdir)' : ''}`;
      case 'mkdir':
        return `mkdir ${s.paths.join(' ')}`;
      case 'file':
        return `file ${s.path}`;
      case 'pivot':
        return `pivot ${s.root}`;
      case 'chdir':
        return `cd ${s.path}`;
    }
  });
}

describe('mount plan', () => {
  it("builds the host's root as a read-only overlay with the job's own mounts on top", () => {
    const r = '/var/lib/rnx/mnt/root';
    const s = '/var/lib/rnx/mnt/scratch';
    assert.deepEqual(mounts(steps(base)), [
      `tmpfs ${s} mode=0755`,
      ...['work', 'tmp', 'run', 'proc', 'sys', 'dev', 'volumes/data'].map(
        (p) => `bind ${s} ${s}/${p} (mkdir)`,
      ),
      `overlay ${r} ro,lowerdir=${s}:/`,
      `bind -r ro /home ${r}/home`,
      `bind ro ${r}/home/alice ${r}/home/alice`,
      `proc ${r}/proc nosuid,nodev,noexec`,
      `bind ro ${r}/proc/sys ${r}/proc/sys`,
      `sysfs ${r}/sys ro,nosuid,nodev,noexec`,
      `bind -r /dev ${r}/dev`,
      `tmpfs ${r}/dev/shm nosuid,nodev,mode=1777`,
      `tmpfs ${r}/tmp nosuid,nodev,mode=1777`,
      `tmpfs ${r}/run nosuid,nodev,mode=0755`,
      `tmpfs ${r}/var/lib/rnx ro,mode=0755`,
      `bind /var/lib/rnx/fs/j1/work ${r}/work`,
      `bind /var/lib/rnx/volumes/data ${r}/volumes/data`,
      `bind ro /run/rnx/j1/hosts ${r}/etc/hosts`,
      `pivot ${r}`,
      'cd /work',
    ]);
  });

  it('puts a runtime under a per-job writable layer and shows nothing else of the host', () => {
    const list = mounts(steps({ ...base, runtimeRoot: '/srv/rootfs/debian' }));
    const s = '/var/lib/rnx/mnt/scratch';
    assert.equal(list[1]?.startsWith(`mkdir ${s}/work ${s}/upper/work ${s}/upper/tmp`), true);
    assert.ok(
      list.includes(
        `overlay /var/lib/rnx/mnt/root lowerdir=/srv/rootfs/debian,upperdir=${s}/upper,workdir=${s}/work`,
      ),
    );
    assert.equal(list.filter((l) => l.includes('/home') || l.includes('ro,mode=0755')).length, 0);
    assert.equal(list.at(-2), 'pivot /var/lib/rnx/mnt/root');
  });

  it("puts regular files above a host's symlinked /etc/resolv.conf to mount onto", () => {
    const list = mounts(steps({ ...base, shadowEtc: true }));
    const s = '/var/lib/rnx/mnt/scratch';
    assert.equal(
      list[1],
      `mkdir ${['work', 'tmp', 'run', 'proc', 'sys', 'dev', 'volumes', 'volumes/data', 'etc'].map((p) => `${s}/${p}`).join(' ')}`,
    );
    assert.equal(list[2], `file ${s}/etc/hosts`);
    assert.equal(list[3], `overlay /var/lib/rnx/mnt/root ro,lowerdir=${s}:/`);
  });

  it('refuses paths that mount options cannot carry', () => {
    const plan = planMounts({ ...base, runtimeRoot: '/srv/a,b' });
    assert.equal(plan.ok ? '' : plan.problem.code, 'unsafe-path');
  });

  it('keeps only the outermost host mounts outside what the job replaces', () => {
    assert.deepEqual(
      outermost(['/', '/home', '/home/a', '/dev/pts', '/tmp/x', '/srv', '/srvx/y']),
      ['/home', '/srv', '/srvx/y'],
    );
  });
});

describe('mount script', () => {
  it('single-quotes every string, including quotes inside it', () => {
    assert.equal(shellQuote("it's $(x)"), `'it'\\''s $(x)'`);
  });

  it('escapes fstab fields the way mountinfo does', () => {
    assert.equal(fstabField('/a b\\c\td'), '/a\\040b\\134c\\011d');
  });

  it('batches runs of mounts into one fstab and keeps other steps as quoted lines', () => {
    const init = renderMountSteps(
      [
        {
          kind: 'mount',
          type: 'tmpfs',
          source: 'rnx-scratch',
          target: '/j/scratch',
          options: 'mode=0755',
        },
        { kind: 'mkdir', paths: ["/j/scratch/it's"] },
        { kind: 'mount', type: 'proc', source: 'proc', target: '/j/root/proc', options: 'nosuid' },
        {
          kind: 'bind',
          source: '/v/a b',
          target: '/j/root/volumes/a',
          recursive: false,
          readOnly: false,
        },
        { kind: 'bind', source: '/dev', target: '/j/root/dev', recursive: true, readOnly: true },
        { kind: 'pivot', root: '/j/root' },
        { kind: 'chdir', path: '/work' },
      ],
      (i) => `/j/fstab-${String(i)}`,
    );
    const tools = 'PATH=/usr/sbin:/usr/bin:/sbin:/bin';
    assert.deepEqual(init.lines, [
      `${tools} mount -t 'tmpfs' -o 'mode=0755' 'rnx-scratch' '/j/scratch'`,
      `${tools} mkdir -p '/j/scratch/it'\\''s'`,
      `${tools} mount -c -a -T '/j/fstab-0'`,
      `cd '/j/root' && ${tools} pivot_root . . && ${tools} umount -l .`,
      "cd '/work'",
    ]);
    assert.deepEqual(init.files, [
      {
        path: '/j/fstab-0',
        content:
          'proc /j/root/proc proc nosuid 0 0\n' +
          '/v/a\\040b /j/root/volumes/a none bind 0 0\n' +
          '/dev /j/root/dev none rbind,ro 0 0\n',
      },
    ]);
    assert.ok(
      standaloneScript(init).includes(
        String.raw`mount -c -a -T '/j/fstab-0' || { echo 'rnx: job filesystem: failed: mount -c -a -T '\''/j/fstab-0'\''' >&2; exit 125; }`,
      ),
    );
  });
});
