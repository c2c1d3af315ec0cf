import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { hostsFile, resolvConf, writeJobFiles } from '../../src/isolation/filesystem/job-files.js';
import { tempDir } from '../helpers/cli.js';
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

  it('the shared resolv.conf another rnx wrote is kept as it is; a stale one is rewritten', () => {
    const { dir, cleanup } = tempDir('rnx-job-files-');
    try {
      let host = '';
      try {
        host = readFileSync('/etc/resolv.conf', 'utf8');
      } catch {
        // No resolv.conf: the jobs get an empty one.
      }
      const path = join(dir, 'etc', 'resolv.conf.none');
      mkdirSync(join(dir, 'etc'));
      // As another rnx process left it: the same content, so the same file (inode) stays.
      writeFileSync(path, resolvConf(host, false));
      const before = statSync(path).ino;
      const files = writeJobFiles(join(dir, 'run', 'a'), {
        stateDir: dir,
        hostname: 'a',
        hosts: [],
        hasNetwork: false,
      });
      assert.equal(files.resolv, path);
      assert.equal(statSync(path).ino, before);
      // Another state directory whose file is stale: replaced (atomically, so a new inode).
      const { dir: other, cleanup: cleanOther } = tempDir('rnx-job-files-');
      try {
        const stale = join(other, 'etc', 'resolv.conf.none');
        mkdirSync(join(other, 'etc'));
        writeFileSync(stale, 'nameserver 10.9.9.9\n');
        const staleIno = statSync(stale).ino;
        writeJobFiles(join(other, 'run', 'b'), {
          stateDir: other,
          hostname: 'b',
          hosts: [],
          hasNetwork: false,
        });
        assert.equal(readFileSync(stale, 'utf8'), resolvConf(host, false));
        assert.notEqual(statSync(stale).ino, staleIno);
      } finally {
        cleanOther();
      }
    } finally {
      cleanup();
    }
  });

  it('reads a process start time even when its name has spaces and parentheses', () => {
    const stat = '42 (a (b) c) S 1 42 42 0 -1 4194560 0 0 0 0 0 0 0 0 20 0 1 0 987654 1000 10';
    assert.equal(parseStartTime(stat), 987654);
  });
});
