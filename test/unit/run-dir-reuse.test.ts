/**
 * An ended job's run directory goes to the spares with its FIFOs in it (job-files.ts
 * `retireRunDir`), and the next job takes them where they are (fifo-pool.ts `takeFifo`); a
 * directory holding anything else is removed, its FIFOs back in their pool.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, lstatSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import {
  retireRunDir,
  returnKeptFifos,
  runDirOf,
  writeJobFiles,
} from '../../src/isolation/filesystem/job-files.js';
import { takeFifo } from '../../src/isolation/start/fifo-pool.js';
import { tempDir } from '../helpers/cli.js';

const state = tempDir('rnx-run-dir-reuse-');
after(() => state.cleanup());

/** A run directory as a job start leaves it: its hosts file and its three FIFOs from the pool. */
async function jobRunDir(id: string): Promise<{ dir: string; fifos: string[] }> {
  const dir = runDirOf(state.dir, id);
  writeJobFiles(dir, { stateDir: state.dir, hostname: id, hosts: [], hasNetwork: false });
  const fifos = ['stdout', 'stderr', 'go'].map((name) => join(dir, name));
  for (const fifo of fifos) assert.ok((await takeFifo(state.dir, fifo)).ok);
  return { dir, fifos };
}

const inode = (path: string): number => lstatSync(path).ino;
const spares = (): string[] => readdirSync(join(state.dir, 'spare', 'run'));

describe("a job's run directory, reused", () => {
  it('goes to the spares with its FIFOs, which the next job uses where they are', async () => {
    const first = await jobRunDir('j1');
    const before = first.fifos.map(inode);
    await retireRunDir(state.dir, first.dir, first.fifos);
    assert.equal(existsSync(first.dir), false);
    assert.equal(spares().length, 1);
    const [spare = ''] = spares();
    assert.deepEqual(readdirSync(join(state.dir, 'spare', 'run', spare)).sort(), [
      'go',
      'hosts',
      'stderr',
      'stdout',
    ]);
    const second = await jobRunDir('j2');
    assert.deepEqual(second.fifos.map(inode), before, 'the same FIFOs, not renamed in again');
    assert.equal(spares().length, 0);
  });

  it('gives a job that makes its own FIFOs (a detached one) a directory without them', async () => {
    const first = await jobRunDir('j5');
    const kept = first.fifos.map(inode);
    await retireRunDir(state.dir, first.dir, first.fifos);
    const dir = runDirOf(state.dir, 'j6');
    writeJobFiles(dir, { stateDir: state.dir, hostname: 'j6', hosts: [], hasNetwork: false });
    returnKeptFifos(state.dir, dir);
    assert.deepEqual(readdirSync(dir), ['hosts']);
    const pooled = readdirSync(join(state.dir, 'fifos')).map((name) =>
      inode(join(state.dir, 'fifos', name)),
    );
    for (const ino of kept) assert.ok(pooled.includes(ino), 'back in the pool');
  });

  it('is removed when it holds anything else, its FIFOs back in their pool', async () => {
    const job = await jobRunDir('j3');
    const fifos = job.fifos.map(inode);
    writeFileSync(join(job.dir, 'left-behind'), 'x');
    await retireRunDir(state.dir, job.dir, job.fifos);
    assert.equal(existsSync(job.dir), false);
    const pooled = readdirSync(join(state.dir, 'fifos')).map((name) =>
      inode(join(state.dir, 'fifos', name)),
    );
    for (const ino of fifos) assert.ok(pooled.includes(ino), 'back in the pool');
  });

  it('does not keep a FIFO whose mode was changed: the directory is removed', async () => {
    const job = await jobRunDir('j4');
    execFileSync('chmod', ['644', job.fifos[0] ?? '']);
    const spareCount = spares().length;
    await retireRunDir(state.dir, job.dir, job.fifos);
    assert.equal(existsSync(job.dir), false);
    assert.equal(spares().length, spareCount);
  });
});
