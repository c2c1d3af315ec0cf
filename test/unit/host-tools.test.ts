import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { findTool, missingTools, toolsFor, toolUsesOfJob } from '../../src/host-tools.js';
import { tempDir } from '../helpers/cli.js';

let tmp: { dir: string; cleanup: () => void };

describe('host tools', () => {
  before(() => (tmp = tempDir('rnx-host-tools-')));
  after(() => tmp.cleanup());

  it('findTool: the first executable file on PATH; not a directory, not a plain file, not a relative entry', () => {
    const a = join(tmp.dir, 'a');
    const b = join(tmp.dir, 'b');
    const c = join(tmp.dir, 'c');
    for (const d of [a, b, c]) mkdirSync(d);
    mkdirSync(join(a, 'nft')); // a directory named like the tool
    writeFileSync(join(b, 'nft'), ''); // not executable
    writeFileSync(join(c, 'nft'), '#!/bin/sh\n');
    chmodSync(join(c, 'nft'), 0o755);
    assert.equal(findTool('nft', `${a}:${b}::relative:${c}`), join(c, 'nft'));
    assert.equal(findTool('nft', `${a}:${b}`), undefined);
    assert.equal(findTool('nft', ''), undefined);
  });

  it('what a job needs follows its settings', () => {
    assert.deepEqual(toolUsesOfJob({ network: 'none' }), ['jobs']);
    assert.deepEqual(
      toolUsesOfJob(
        { network: 'bridge', runtime: 'alpine', ready: { probe: { kind: 'tcp' } } },
        true,
      ),
      ['jobs', 'networks', 'job-networks', 'runtimes', 'probes', 'background'],
    );
    assert.deepEqual(toolUsesOfJob({ network: 'none', ready: { probe: { kind: 'log' } } }), [
      'jobs',
    ]);
    assert.deepEqual(toolsFor(['jobs']), ['setpriv', 'mkfifo']);
    assert.deepEqual(toolsFor(['bwrap-jobs']), ['bwrap']);
    assert.deepEqual(toolsFor(['networks']), ['ip', 'nft']);
    assert.deepEqual(toolsFor(['job-networks']), ['nsenter', 'sh']);
  });

  it('missing tools are named with their packages, one apt-get line', () => {
    const p = missingTools(['nft', 'ip', 'nsenter']);
    assert.equal(p.code, 'tool-missing');
    assert.equal(
      p.message,
      "'nft' (Debian package nftables), 'ip' (Debian package iproute2), 'nsenter' (Debian package util-linux) are not on PATH",
    );
    assert.match(p.hint ?? '', /^install with: apt-get install nftables iproute2 util-linux /);
  });
});
