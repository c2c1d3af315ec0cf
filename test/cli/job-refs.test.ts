/**
 * Job references on the command line: an ambiguous id prefix is named as such with its candidates
 * (at most 10) and exit 2, for every command that takes a job; an absurdly long reference is simply
 * not found (exit 1).
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { insertJob } from '../../src/isolation/records/job-store.js';
import { selfIdentity } from '../../src/isolation/records/proc-identity.js';
import { openDatabase } from '../../src/state/database.js';
import { noStackTrace, runCli, tempDir } from '../helpers/cli.js';

let state: { dir: string; cleanup: () => void };
before(() => {
  state = tempDir('rnx-job-refs-');
  const db = openDatabase(state.dir);
  const many = Array.from({ length: 12 }, (_, i) => `cafe${String(i).padStart(8, '0')}`);
  const ten = Array.from({ length: 10 }, (_, i) => `beef${String(i).padStart(8, '0')}`);
  for (const id of ['abcd00000001', 'abcd00000002', 'ef0100000003', ...many, ...ten]) {
    insertJob(db, {
      id,
      command: ['true'],
      envNames: [],
      secretNames: [],
      network: 'none',
      resources: {},
      owner: selfIdentity(),
      logPath: join(state.dir, `${id}.log`),
      createdAt: new Date().toISOString(),
    });
  }
  db.close();
});
after(() => state.cleanup());

const rnx = (args: string[]) => runCli(args, { stateDir: state.dir });

describe('job references', () => {
  it('an ambiguous id prefix names its candidates in job status, log, stop, wait and metrics, exit 2', async () => {
    for (const command of ['status', 'log', 'stop', 'wait', 'metrics']) {
      const r = await rnx(['job', command, 'abcd']);
      assert.equal(r.code, 2, `${command}: ${r.stderr}`);
      assert.equal(
        r.stderr,
        "rnx: job id prefix 'abcd' is ambiguous: abcd00000001, abcd00000002\n" +
          '  hint: give more characters of the id\n',
        command,
      );
    }
  });

  it('names at most 10 candidates, and says when there are more', async () => {
    const more = await rnx(['job', 'status', 'cafe']);
    assert.equal(more.code, 2);
    assert.match(
      more.stderr,
      /ambiguous: cafe00000000, (cafe0000000\d, ){8}cafe00000009, \.\.\.\n/,
    );
    const ten = await rnx(['job', 'status', 'beef']);
    assert.equal(ten.code, 2);
    assert.match(ten.stderr, /ambiguous: beef00000000, (beef0000000\d, ){8}beef00000009\n/);
  });

  it('a prefix of no job is not found, exit 1', async () => {
    const r = await rnx(['job', 'status', 'dddd']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^rnx: no job 'dddd'\n/);
    noStackTrace(r.stderr);
  });

  it('a unique prefix still finds the job', async () => {
    const r = await rnx(['job', 'status', 'ef01', '--json']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /ef0100000003/);
  });

  it('a reference of 50,000 characters is not found, in one short line', async () => {
    const r = await rnx(['job', 'status', 'a'.repeat(50_000)]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /no job 'a+\.\.\.'/);
    assert.ok(r.stderr.length < 500, r.stderr.slice(0, 200));
  });
});
