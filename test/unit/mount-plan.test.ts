import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  fsStepArgs,
  outermost,
  planMounts,
  withExtraSteps,
  type FsStep,
  type MountPlanInput,
} from '../../src/isolation/filesystem/mount-plan.js';

const base: MountPlanInput = {
  root: {
    kind: 'host',
    entries: [
      { name: 'bin', kind: 'symlink', link: 'usr/bin' },
      { name: 'etc', kind: 'directory' },
      { name: 'usr', kind: 'directory' },
      { name: 'var', kind: 'directory' },
      { name: 'srv', kind: 'empty-directory', mode: 0o750 },
      { name: 'proc', kind: 'directory' },
      { name: 'tmp', kind: 'directory' },
      { name: 'work', kind: 'directory' },
      { name: 'info.json', kind: 'file' },
    ],
  },
  workspace: '/var/lib/rnx/fs/j1/work',
  volumes: [{ name: 'data', path: '/var/lib/rnx/volumes/data' }],
  hidden: ['/var/lib/rnx'],
  hostsFile: '/var/lib/rnx/run/j1/hosts',
  resolvFile: '/var/lib/rnx/etc/resolv.conf',
  kernel: {
    maskedFiles: ['/proc/keys'],
    maskedDirs: ['/proc/acpi', '/sys/firmware'],
    readOnly: ['/proc/sys'],
  },
};

function show(steps: readonly FsStep[]): string[] {
  return steps.map((s) => {
    switch (s.kind) {
      case 'ro-bind':
      case 'bind':
      case 'dev-bind':
        return `${s.kind} ${s.source} ${s.target}`;
      case 'tmpfs':
        return `tmpfs ${s.target} ${s.mode.toString(8)}`;
      case 'symlink':
        return `symlink ${s.link} ${s.target}`;
      case 'chdir':
        return `cd ${s.path}`;
      case 'dir':
        return `dir ${s.target}${s.mode === undefined ? '' : ` ${s.mode.toString(8)}`}`;
      default:
        return `${s.kind} ${s.target}`;
    }
  });
}

describe('mount plan', () => {
  it("binds the host's / entry by entry, read-only (an empty one made with its mode), with the job's own dirs and masks on top", () => {
    assert.deepEqual(show(planMounts(base)), [
      'symlink usr/bin /bin',
      'ro-bind /etc /etc',
      'ro-bind /usr /usr',
      'ro-bind /var /var',
      'dir /srv 750',
      'ro-bind /info.json /info.json',
      'tmpfs /var/lib/rnx 755',
      'remount-ro /var/lib/rnx',
      'proc /proc',
      'ro-bind /proc/sys /proc/sys',
      'dev-bind /dev/null /proc/keys',
      'tmpfs /proc/acpi 755',
      'remount-ro /proc/acpi',
      'dev /dev',
      'tmpfs /dev/shm 1777',
      'tmpfs /tmp 1777',
      'tmpfs /run 755',
      'bind /var/lib/rnx/fs/j1/work /work',
      'dir /volumes',
      'bind /var/lib/rnx/volumes/data /volumes/data',
      'ro-bind /var/lib/rnx/run/j1/hosts /etc/hosts',
      'ro-bind /var/lib/rnx/etc/resolv.conf /etc/resolv.conf',
      'dir /sys',
      'remount-ro /',
      'ro-bind /sys /sys',
      'tmpfs /sys/firmware 755',
      'remount-ro /sys/firmware',
      'cd /work',
    ]);
  });

  it('binds /sys and masks below it last on a runtime too, before the start directory', () => {
    const list = show(planMounts({ ...base, root: { kind: 'runtime', root: '/s/fs/j1/root' } }));
    assert.deepEqual(list.slice(-4), [
      'ro-bind /sys /sys',
      'tmpfs /sys/firmware 755',
      'remount-ro /sys/firmware',
      'cd /work',
    ]);
    assert.equal(list.includes('dir /sys'), false);
  });

  it('puts a runtime (its pre-mounted writable layer) at / and shows nothing else of the host', () => {
    const list = show(planMounts({ ...base, root: { kind: 'runtime', root: '/s/fs/j1/root' } }));
    assert.equal(list[0], 'bind /s/fs/j1/root /');
    assert.equal(
      list.filter((l) => l.includes('/usr') || l.includes('/var/lib/rnx 755')).length,
      0,
    );
    assert.equal(list.includes('remount-ro /'), false, 'the runtime root stays writable');
  });

  it("rebuilds /etc entry by entry when the host's hosts or resolv.conf is a symlink", () => {
    const list = show(
      planMounts({
        ...base,
        root: {
          kind: 'host',
          entries: [{ name: 'etc', kind: 'directory' }],
          etcEntries: [
            { name: 'passwd', kind: 'file' },
            { name: 'resolv.conf', kind: 'symlink', link: '/run/resolved/stub' },
            { name: 'hosts', kind: 'file' },
          ],
        },
      }),
    );
    assert.deepEqual(list.slice(0, 2), ['dir /etc', 'ro-bind /etc/passwd /etc/passwd']);
    assert.ok(list.includes('ro-bind /var/lib/rnx/etc/resolv.conf /etc/resolv.conf'));
    assert.equal(list.filter((l) => l.startsWith('symlink')).length, 0);
  });

  it('keeps only the outermost hidden paths outside what the job replaces', () => {
    assert.deepEqual(
      outermost(['/', '/home', '/home/a', '/dev/pts', '/tmp/x', '/srv', '/srvx/y']),
      ['/home', '/srv', '/srvx/y'],
    );
  });

  it("turns steps into bwrap's arguments, modes in octal before each tmpfs and dir that has one", () => {
    assert.deepEqual(
      fsStepArgs([
        { kind: 'ro-bind', source: '/a b', target: '/a b' },
        { kind: 'tmpfs', target: '/tmp', mode: 0o1777 },
        { kind: 'symlink', link: 'usr/lib', target: '/lib' },
        { kind: 'dir', target: '/srv', mode: 0o700 },
        { kind: 'dir', target: '/volumes' },
        { kind: 'dev', target: '/dev' },
        { kind: 'chdir', path: '/work' },
      ]),
      [
        '--ro-bind',
        '/a b',
        '/a b',
        '--perms',
        '1777',
        '--tmpfs',
        '/tmp',
        '--symlink',
        'usr/lib',
        '/lib',
        '--perms',
        '0700',
        '--dir',
        '/srv',
        '--dir',
        '/volumes',
        '--dev',
        '/dev',
        '--chdir',
        '/work',
      ],
    );
  });

  it('makes the directories above bind targets itself, once, outside the tmpfs dirs', () => {
    const steps = show(
      planMounts({
        ...base,
        binds: [
          { source: '/s/out', target: '/run/rnx', readOnly: false },
          { source: '/s/a/build', target: '/artifacts/build', readOnly: true },
          { source: '/s/a/test', target: '/artifacts/test', readOnly: true },
          { source: '/s/deep', target: '/data/in/deep', readOnly: true },
        ],
      }),
    );
    const dirs = steps.filter((s) => s.startsWith('dir ') && s !== 'dir /srv 750');
    assert.deepEqual(dirs, [
      'dir /volumes',
      'dir /artifacts',
      'dir /data',
      'dir /data/in',
      'dir /sys',
    ]);
    assert.ok(
      steps.indexOf('dir /artifacts') < steps.indexOf('ro-bind /s/a/build /artifacts/build'),
    );
  });

  it('adds extra binds before the root is made read-only', () => {
    const steps = show(withExtraSteps(planMounts(base), [{ kind: 'dir', target: '/dev/.rnx' }]));
    const at = steps.indexOf('dir /dev/.rnx');
    assert.ok(steps.indexOf('dev /dev') < at && at < steps.indexOf('remount-ro /'), String(at));
  });
});
