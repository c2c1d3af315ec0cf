/**
 * Job references on the command line: an ambiguous id prefix is named as such with its candidates,
 * for every command that takes a job; an absurdly long reference is simply not found.
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
  for (const id of ['abcd00000001', 'abcd00000002', 'ef0100000003']) {
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
  it('an ambiguous id prefix names its candidates in job status, log, stop and wait', async () => {
    for (const command of ['status', 'log', 'stop', 'wait']) {
      const r = await rnx(['job', command, 'abcd']);
      assert.equal(r.code, 1, `${command}: ${r.stderr}`);
      assert.match(
        r.stderr,
        /job id prefix 'abcd' is ambiguous: abcd00000001, abcd00000002/,
        command,
      );
      noStackTrace(r.stderr);
    }
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
