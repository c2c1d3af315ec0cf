import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  capabilityMask,
  checkCapability,
  DEFAULT_CAPABILITIES,
  resolveCapabilities,
} from '../../src/isolation/start/capabilities.js';
import { sandboxCredentialArgs, setprivArgs } from '../../src/isolation/start/final-exec.js';
import { NAMESPACE_ARGS, sandboxArgs } from '../../src/isolation/start/sandbox-args.js';

describe('capabilities', () => {
  it("is Docker's set by default: CapEff 00000000a80425fb", () => {
    assert.equal(capabilityMask(DEFAULT_CAPABILITIES), '00000000a80425fb');
    const caps = resolveCapabilities();
    assert.ok(caps.ok);
    assert.equal(capabilityMask(caps.value), '00000000a80425fb');
  });

  it('adds and drops by name, with or without CAP_, any case; drops win', () => {
    const caps = resolveCapabilities({
      add: ['cap_net_admin', 'SYS_TIME'],
      drop: ['sys_time', 'MKNOD'],
    });
    assert.ok(caps.ok);
    assert.ok(caps.value.includes('NET_ADMIN'));
    assert.equal(caps.value.includes('SYS_TIME'), false);
    assert.equal(caps.value.includes('MKNOD'), false);
  });

  it('takes ALL on either side', () => {
    const all = resolveCapabilities({ add: ['ALL'] });
    assert.ok(all.ok);
    assert.equal(capabilityMask(all.value), '000001ffffffffff');
    const none = resolveCapabilities({ drop: ['all'], add: ['NET_BIND_SERVICE'] });
    assert.ok(none.ok);
    assert.deepEqual(none.value, []);
    const only = resolveCapabilities({ drop: ['ALL'] });
    assert.ok(only.ok);
    assert.equal(capabilityMask(only.value), '0000000000000000');
  });

  it('refuses an unknown name and says which one was meant', () => {
    const bad = checkCapability('NET_ADMN');
    assert.equal(bad.ok, false);
    if (!bad.ok) {
      assert.equal(bad.problem.code, 'unknown-capability');
      assert.match(
        bad.problem.message,
        /unknown capability 'NET_ADMN'; did you mean 'NET_ADMIN'\?/,
      );
    }
    const r = resolveCapabilities({ drop: ['chwon'] });
    assert.equal(
      r.ok ? '' : r.problem.message,
      "unknown capability 'chwon'; did you mean 'CHOWN'?",
    );
  });
});

describe('the final exec', () => {
  it('sets the bounding and inheritable sets, clears the ambient one, no new privileges, then --', () => {
    assert.deepEqual(setprivArgs({ capabilities: ['CHOWN', 'NET_RAW'] }), [
      '--inh-caps=-all,+chown,+net_raw',
      '--ambient-caps=-all',
      '--bounding-set=-all,+chown,+net_raw',
      '--no-new-privs',
      '--',
    ]);
  });

  it('switches the user as one more option', () => {
    const args = setprivArgs({ capabilities: [], user: { uid: 70, gid: 70, groups: [5, 6] } });
    assert.deepEqual(args.slice(4), ['--reuid=70', '--regid=70', '--groups=5,6', '--']);
    assert.ok(
      setprivArgs({ capabilities: [], user: { uid: 1, gid: 1, groups: [] } }).includes(
        '--clear-groups',
      ),
    );
  });

  it('runs the whole setup in one bwrap: namespaces, protocol fds, mounts, then setpriv and the command', () => {
    const args = sandboxArgs({
      program: 'bwrap',
      hostname: 'web',
      fs: [{ kind: 'proc', target: '/proc' }],
      final: { capabilities: ['KILL'] },
      setpriv: ['/usr/bin/setpriv'],
      command: 'echo',
      args: ['a b'],
      protocol: 'foreground',
    });
    assert.deepEqual(args.slice(0, NAMESPACE_ARGS.length), [...NAMESPACE_ARGS]);
    for (const flag of ['--as-pid-1', '--new-session', '--die-with-parent']) {
      assert.ok(args.includes(flag), flag);
    }
    const at = (flag: string): string | undefined => args[args.indexOf(flag) + 1];
    assert.equal(at('--hostname'), 'web');
    assert.equal(at('--info-fd'), '3');
    assert.equal(at('--block-fd'), '5');
    assert.equal(at('--json-status-fd'), '6');
    assert.deepEqual(args.slice(args.indexOf('--') + 1), [
      '/usr/bin/setpriv',
      '--inh-caps=-all,+kill',
      '--ambient-caps=-all',
      '--bounding-set=-all,+kill',
      '--no-new-privs',
      '--',
      'echo',
      'a b',
    ]);
  });

  it('gives rnx-sandbox the final step as its own options: one capability mask, the user as numbers', () => {
    const args = sandboxArgs({
      program: 'rnx-sandbox',
      hostname: 'web',
      fs: [{ kind: 'proc', target: '/proc' }],
      final: {
        capabilities: DEFAULT_CAPABILITIES,
        user: { uid: 70, gid: 71, groups: [71, 5] },
      },
      setpriv: ['/usr/bin/setpriv'],
      command: 'echo',
      args: ['a b'],
      protocol: 'foreground',
    });
    assert.deepEqual(args.slice(args.indexOf('--proc')), [
      '--proc',
      '/proc',
      // Docker's set, as /proc/self/status shows it (CapEff: 00000000a80425fb)
      '--caps',
      '00000000a80425fb',
      '--uid',
      '70',
      '--gid',
      '71',
      '--groups',
      '71,5',
      '--',
      'echo',
      'a b',
    ]);
    assert.deepEqual(sandboxCredentialArgs({ capabilities: ['CHECKPOINT_RESTORE', 'CHOWN'] }), [
      '--caps',
      '0000010000000001',
    ]);
  });
});
