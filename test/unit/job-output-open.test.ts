/**
 * A job's log is opened off rnx's thread (job-output.ts): output that comes before the open is
 * written first, in order; a close before the open came back opens it there.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { JobOutput } from '../../src/isolation/output/job-output.js';
import { tempDir } from '../helpers/cli.js';

const dir = tempDir('rnx-job-output-');
after(() => dir.cleanup());

describe("a job's log, opened off rnx's thread", () => {
  it('keeps output that came before the open, in order, when closed at once', () => {
    const path = join(dir.dir, 'logs', 'a.log');
    const seen: string[] = [];
    const out = new JobOutput(path, [], { onStdout: (c) => seen.push(c.toString()) });
    out.stdout(Buffer.from('one\n'));
    out.stderr(Buffer.from('two\n'));
    out.stdout(Buffer.from('three\n'));
    out.close();
    assert.equal(readFileSync(path, 'utf8'), 'one\ntwo\nthree\n');
    assert.deepEqual(seen, ['one\n', 'three\n'], 'the callbacks get output at once');
  });

  it('writes what waited, then what comes after the open, and masks secrets either way', async () => {
    const path = join(dir.dir, 'logs', 'b.log');
    const out = new JobOutput(path, ['s3cret'], {});
    out.stdout(Buffer.from('before s3cret\n'));
    await new Promise((resolve) => setTimeout(resolve, 20));
    out.stdout(Buffer.from('after s3cret\n'));
    out.close();
    assert.equal(readFileSync(path, 'utf8'), 'before ***\nafter ***\n');
  });
});
