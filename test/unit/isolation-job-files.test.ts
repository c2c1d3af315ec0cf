import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fstab, hostsFile, resolvConf } from '../../src/isolation/filesystem/job-files.js';
import { initScript, shQuote } from '../../src/isolation/start/init-script.js';
import { parseStartTime } from '../../src/isolation/records/proc-identity.js';

describe("a job's own files and init", () => {
  it('hosts lists the job under its address and the other jobs the engine gave', () => {
    const text = hostsFile('web', '172.20.0.5', [
      { name: 'web', address: '172.20.0.5' },
      { name: 'db', address: '172.20.0.6' },
    ]);
    assert.match(text, /^127\.0\.0\.1\tlocalhost$/m);
    assert.match(text, /^172\.20\.0\.5\tweb$/m);
    assert.match(text, /^172\.20\.0\.6\tdb$/m);
    assert.equal(text.match(/\tweb$/gm)?.length, 1);
  });

  it('hosts maps a job without an address to a loopback address', () => {
    assert.match(hostsFile('batch', undefined, []), /^127\.0\.1\.1\tbatch$/m);
  });

  it('resolv.conf drops loopback name servers, and all of them without a network', () => {
    const host = 'nameserver 127.0.0.53\nnameserver 10.0.0.2\nsearch example.org\n';
    const withNet = resolvConf(host, true);
    assert.doesNotMatch(withNet, /127\.0\.0\.53/);
    assert.match(withNet, /nameserver 10\.0\.0\.2/);
    assert.match(withNet, /search example\.org/);
    assert.doesNotMatch(resolvConf(host, false), /nameserver/);
  });

  it('fstab escapes spaces in paths', () => {
    assert.equal(
      fstab([{ source: '/var/lib/my rnx/hosts', target: '/etc/hosts' }]),
      '/var/lib/my\\040rnx/hosts /etc/hosts none bind 0 0\n',
    );
  });

  it('quotes any text for sh', () => {
    assert.equal(shQuote("it's"), `'it'\\''s'`);
  });

  it('init joins the cgroups after its setup tools, and execs the command last', () => {
    const script = initScript({
      hostname: "we'b",
      procsFiles: ['/sys/fs/cgroup/pids/rnx-1/cgroup.procs'],
      fstab: '/state/run/1/fstab',
      loopbackUp: true,
      tools: { mount: '/usr/bin/mount', ip: '/usr/sbin/ip' },
    });
    const lines = script.split('\n');
    const at = (text: string): number => lines.findIndex((l) => l.includes(text));
    assert.equal(lines[0], 'echo n >&3');
    assert.ok(at("'we'\\''b'") > 0);
    assert.ok(at('-a -T') < at('cgroup.procs'));
    assert.ok(at('link set lo up') < at('cgroup.procs'));
    assert.ok(at('cgroup.procs') < at('read go'));
    assert.equal(lines.at(-1), 'exec "$@"');
  });

  it('reads a process start time even when its name has spaces and parentheses', () => {
    const stat = '42 (a (b) c) S 1 42 42 0 -1 4194560 0 0 0 0 0 0 0 0 20 0 1 0 987654 1000 10';
    assert.equal(parseStartTime(stat), 987654);
  });
});
