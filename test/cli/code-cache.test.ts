/**
 * The installed CLI with its code cache (src/launch): the cache a command leaves is used by the
 * next run of it, and a damaged or foreign one changes nothing of what rnx does or prints.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli, tempDir } from '../helpers/cli.js';

let tmp: { dir: string; cleanup: () => void };
before(() => {
  tmp = tempDir('rnx-cli-cache-');
});
after(() => tmp.cleanup());

const ARGS = ['workflow', 'validate', '--skip-environment', 'workflows/diamond.yaml'];

describe("rnx's code cache", () => {
  it('keeps one file per command, and a damaged one changes nothing', async () => {
    const cache = join(tmp.dir, 'cache');
    const env = { RNX_CACHE_DIR: cache };
    const first = await runCli(ARGS, { env });
    assert.equal(first.code, 0, first.stderr);
    const [file = ''] = readdirSync(cache).map((name) => join(cache, name));
    assert.match(file, /\/workflow-validate\.[0-9a-f]{8}\.v8cache$/);
    const version = await runCli(['--version'], { env });
    assert.equal(version.code, 0);
    const names = readdirSync(cache).sort();
    assert.equal(names.length, 2);
    assert.match(names[0] ?? '', /^rnx\.[0-9a-f]{8}\.v8cache$/);
    const bytes = readFileSync(file);
    for (let i = bytes.length - 4096; i < bytes.length - 2048; i++) bytes[i] = 0xff;
    writeFileSync(file, bytes);
    const damaged = await runCli(ARGS, { env });
    assert.deepEqual(damaged, first);
    assert.notDeepEqual(readFileSync(file), bytes);

    // A cache made by another Node (its header says so) is not used either.
    const header = readFileSync(file, 'latin1').split('\n', 1)[0] ?? '';
    writeFileSync(
      file,
      Buffer.concat([
        Buffer.from(header.replace(process.version, 'v99.0.0'), 'latin1'),
        readFileSync(file).subarray(header.length),
      ]),
    );
    assert.deepEqual(await runCli(ARGS, { env }), first);
    assert.match(readFileSync(file, 'latin1'), new RegExp(`"node":"${process.version} `));
  });

  it('RNX_CACHE_DIR set empty: no cache, same run', async () => {
    const off = await runCli(ARGS, { env: { RNX_CACHE_DIR: '' } });
    const on = await runCli(ARGS, { env: { RNX_CACHE_DIR: join(tmp.dir, 'other') } });
    assert.equal(off.code, 0, off.stderr);
    assert.deepEqual(off, on);
  });
});
