import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { runCli, tempDir } from '../helpers/cli.js';
import { makeBusyboxRootfs } from '../helpers/fs-job.js';

describe('rnx runtime', () => {
  const t = tempDir('rnx-runtime-cli-');
  const stateDir = join(t.dir, 'state');
  after(() => t.cleanup());
  const rnx = (...args: string[]) => runCli(args, { stateDir, cwd: t.dir });

  it('registers a root filesystem given relative to the working directory and lists it', async () => {
    makeBusyboxRootfs(join(t.dir, 'tiny'), 'tiny');
    const added = await rnx('runtime', 'add', 'python:3.11-ml', 'tiny');
    assert.equal(added.code, 0, added.stderr);
    const list = await rnx('runtime', 'list');
    assert.equal(list.stdout, `NAME            ROOT\npython:3.11-ml  ${t.dir}/tiny\n`);
    const json = JSON.parse((await rnx('runtime', 'list', '--json')).stdout) as { root: string }[];
    assert.equal(json[0]?.root, join(t.dir, 'tiny'));
  });

  it('refuses a directory that does not look like a root filesystem', async () => {
    mkdirSync(join(t.dir, 'empty'));
    const empty = await rnx('runtime', 'add', 'empty', 'empty');
    assert.equal(empty.code, 2);
    assert.match(empty.stderr, /does not look like a root filesystem: no sh/);
    mkdirSync(join(t.dir, 'shonly', 'bin'), { recursive: true });
    writeFileSync(join(t.dir, 'shonly', 'bin', 'sh'), '');
    // A shell is all a runtime needs: rnx runs nothing of its own from it (no umount, no setpriv).
    const shOnly = await rnx('runtime', 'add', 'shonly', 'shonly');
    assert.equal(shOnly.code, 0, shOnly.stderr);
    assert.equal((await rnx('runtime', 'remove', 'shonly')).code, 0);
    assert.equal((await rnx('runtime', 'add', 'host', '/')).code, 2);
    assert.equal((await rnx('runtime', 'add', 'gone', 'nowhere')).code, 2);
  });

  it('refuses bad names, duplicates and paths mount cannot carry', async () => {
    const bad = await rnx('runtime', 'add', 'a/b', 'tiny');
    assert.match(bad.stderr, /invalid runtime name 'a\/b'/);
    const dup = await rnx('runtime', 'add', 'python:3.11-ml', 'tiny');
    assert.match(dup.stderr, /runtime 'python:3.11-ml' already exists/);
    mkdirSync(join(t.dir, 'with space'));
    makeBusyboxRootfs(join(t.dir, 'with space', 'root'), 'x');
    const spaced = await rnx('runtime', 'add', 'spaced', 'with space/root');
    assert.equal(spaced.code, 2);
    assert.match(spaced.stderr, /characters rnx cannot pass to mount/);
  });

  it('forgets a runtime without touching its directory', async () => {
    const removed = await rnx('runtime', 'remove', 'python:3.11-ml');
    assert.equal(removed.code, 0, removed.stderr);
    assert.equal((await rnx('runtime', 'list')).stdout, 'NAME  ROOT\n');
    const again = await rnx('runtime', 'remove', 'python:3.11-ml');
    assert.equal(again.code, 1);
    assert.match(again.stderr, /runtime 'python:3.11-ml' is not registered/);
    assert.equal((await rnx('runtime', 'add', 'back', 'tiny')).code, 0);
  });
});
