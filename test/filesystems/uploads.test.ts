import assert from 'node:assert/strict';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { checkUpload, checkUploads } from '../../src/isolation/filesystem/uploads.js';
import { tempDir } from '../helpers/cli.js';

describe('upload paths', () => {
  const t = tempDir('rnx-uploads-');
  const base = join(t.dir, 'project');
  before(() => {
    mkdirSync(join(base, 'data', 'nested'), { recursive: true });
    writeFileSync(join(base, 'app.py'), 'x');
    writeFileSync(join(base, 'data', 'nested', 'a.csv'), 'a');
    writeFileSync(join(t.dir, 'outside.txt'), 'secret');
    symlinkSync('../outside.txt', join(base, 'link-out'));
    symlinkSync('app.py', join(base, 'link-in'));
    mkdirSync(join(base, 'leaky'));
    symlinkSync('/etc', join(base, 'leaky', 'etc'));
  });
  after(() => t.cleanup());

  const code = (path: string, kind: 'file' | 'directory' = 'file'): string => {
    const r = checkUpload(base, path, kind);
    return r.ok ? `ok:${r.value.target}` : r.problem.code;
  };

  it('accepts files and directories inside the base, landing at /work/<name>', () => {
    assert.equal(code('app.py'), 'ok:app.py');
    assert.equal(code('./data/nested/a.csv'), 'ok:a.csv');
    assert.equal(code('data', 'directory'), 'ok:data');
    assert.equal(code('link-in'), 'ok:link-in');
  });

  it('refuses ../ that climbs out, absolute paths and symlinks out', () => {
    assert.equal(code('../../etc/passwd'), 'upload-escapes');
    assert.equal(code('data/../../outside.txt'), 'upload-escapes');
    assert.equal(code('/etc/passwd'), 'upload-escapes');
    assert.equal(code('link-out'), 'upload-escapes');
    assert.equal(code('leaky', 'directory'), 'upload-escapes');
  });

  it('unconfined (paths named on the command line): absolute, outside and symlinked out are fine', () => {
    const free = (path: string, kind: 'file' | 'directory' = 'file'): string => {
      const r = checkUpload(base, path, kind, { confined: false });
      return r.ok ? `ok:${r.value.target}:${r.value.source}` : r.problem.code;
    };
    const outside = join(t.dir, 'outside.txt');
    assert.equal(free(outside), `ok:outside.txt:${outside}`);
    assert.equal(free('../outside.txt'), `ok:outside.txt:${outside}`);
    assert.equal(free('link-out'), `ok:link-out:${outside}`);
    assert.equal(free('leaky', 'directory'), `ok:leaky:${join(base, 'leaky')}`);
    assert.equal(free(join(t.dir, 'nope.txt')), 'upload-not-found');
    mkdirSync(join(t.dir, 'dangling'));
    symlinkSync('nowhere', join(t.dir, 'dangling', 'x'));
    assert.equal(free('../dangling', 'directory'), 'upload-not-found');
  });

  it('says what is wrong with missing paths and wrong kinds', () => {
    assert.equal(code('nope.txt'), 'upload-not-found');
    assert.equal(code('data'), 'upload-not-file');
    assert.equal(code('app.py', 'directory'), 'upload-not-directory');
  });

  it('refuses two uploads that would land on the same name', () => {
    const r = checkUploads(base, { files: ['app.py'], directories: [] });
    assert.ok(r.ok);
    writeFileSync(join(base, 'data', 'app.py'), 'y');
    const dup = checkUploads(base, { files: ['app.py', 'data/app.py'], directories: [] });
    assert.equal(dup.ok ? '' : dup.problem.code, 'upload-clash');
  });
});
