/**
 * The host directory listing a job's root is planned from (filesystem/host-entries.ts) is kept
 * between jobs only while the directory, and each empty directory in it, is as it was: every
 * change shows in the next listing. Listings are kept only once what they stamp is more than a
 * second old, so the test waits for the clock (no marker can stand in for time itself).
 */
import assert from 'node:assert/strict';
import { mkdirSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { hostEntries } from '../../src/isolation/filesystem/host-entries.js';
import { tempDir } from '../helpers/cli.js';

async function settle(): Promise<void> {
  const until = Date.now() + 1100;
  while (Date.now() < until)
    await new Promise((resolve) => setTimeout(resolve, until - Date.now()));
}

const kinds = (dir: string): string[] =>
  hostEntries(dir)
    .map((e) => `${e.name}:${e.kind}${e.link === undefined ? '' : `>${e.link}`}`)
    .sort();

describe('host directory listings', () => {
  it('are kept while nothing changed, and every change shows in the next one', async () => {
    const scratch = tempDir('rnx-host-entries-');
    const dir = scratch.dir;
    try {
      mkdirSync(join(dir, 'leaf'));
      mkdirSync(join(dir, 'full', 'sub'), { recursive: true });
      writeFileSync(join(dir, 'file'), '');
      symlinkSync('file', join(dir, 'link'));
      const expected = ['file:file', 'full:directory', 'leaf:empty-directory', 'link:symlink>file'];
      assert.deepEqual(kinds(dir), expected);
      // Just made: listed again each time, never kept.
      assert.notEqual(hostEntries(dir), hostEntries(dir));
      await settle();
      const kept = hostEntries(dir);
      assert.equal(hostEntries(dir), kept, 'unchanged and settled: the same listing');
      // A link replaced: the directory's times change.
      unlinkSync(join(dir, 'link'));
      symlinkSync('full', join(dir, 'link'));
      assert.deepEqual(kinds(dir), [
        'file:file',
        'full:directory',
        'leaf:empty-directory',
        'link:symlink>full',
      ]);
      await settle();
      assert.equal(hostEntries(dir), hostEntries(dir));
      // Something put in an empty directory: that directory's times change, not its parent's.
      writeFileSync(join(dir, 'leaf', 'x'), '');
      assert.deepEqual(kinds(dir), [
        'file:file',
        'full:directory',
        'leaf:directory',
        'link:symlink>full',
      ]);
    } finally {
      scratch.cleanup();
    }
  });
});
