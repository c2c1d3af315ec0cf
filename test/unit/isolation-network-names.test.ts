import assert from 'node:assert/strict';
import { openSync, readFileSync, closeSync, fstatSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { writeJobFiles } from '../../src/isolation/filesystem/job-files.js';
import { recordResources, finishJob, markRunning } from '../../src/isolation/records/job-store.js';
import {
  insertUniquelyNamed,
  refreshNetworkNames,
  sharedEntries,
} from '../../src/isolation/filesystem/network-names.js';
import { openDatabase, type Database } from '../../src/state/database.js';
import { tempDir } from '../helpers/cli.js';

const running = [
  { id: 'a1', name: 'db', runId: 'wr-a', address: '10.0.0.2' },
  { id: 'b1', name: 'db', runId: 'wr-b', address: '10.0.0.3' },
  { id: 's1', name: 'backend', runId: null, address: '10.0.0.4' },
  { id: 's2', name: null, runId: null, address: '10.0.0.5' },
  { id: 'b2', name: 'api', runId: 'wr-b', address: '10.0.0.6' },
];

describe('names across runs', () => {
  it("lists a run's own jobs first, each name once, never the job itself or unnamed jobs", () => {
    assert.deepEqual(sharedEntries({ id: 'b2', runId: 'wr-b' }, running, new Set(['api'])), [
      { name: 'db', address: '10.0.0.3' },
      { name: 'backend', address: '10.0.0.4' },
    ]);
    assert.deepEqual(sharedEntries({ id: 's2', runId: null }, running, new Set()), [
      { name: 'db', address: '10.0.0.2' },
      { name: 'backend', address: '10.0.0.4' },
      { name: 'api', address: '10.0.0.6' },
    ]);
  });

  it("rewrites running jobs' hosts files in place as named jobs come and go", () => {
    const state = tempDir();
    const db = openDatabase(state.dir);
    try {
      // As the runner does: set up (its own file filled in), then, once it runs, named into the
      // others' files.
      const setUp = (id: string, name: string | undefined, address: string): string => {
        addJob(db, id, name, 'app');
        const runDir = join(state.dir, 'run', id);
        recordResources(db, id, { runDir, address });
        writeJobFiles(runDir, {
          stateDir: state.dir,
          hostname: name ?? `rnx-${id}`,
          address,
          hosts: [],
          hasNetwork: true,
          network: 'app',
        });
        refreshNetworkNames(db, 'app', id);
        return join(runDir, 'hosts');
      };
      const runs = (id: string, name: string | undefined): void => {
        markRunning(db, id, { pid: 1, startTime: 0 }, new Date().toISOString());
        if (name !== undefined) refreshNetworkNames(db, 'app');
      };
      const start = (id: string, name: string | undefined, address: string): string => {
        const hosts = setUp(id, name, address);
        runs(id, name);
        return hosts;
      };
      const client = start('c1', undefined, '10.9.0.2');
      const fd = openSync(client, 'r');
      const inode = fstatSync(fd).ino;
      closeSync(fd);
      // Set up, waiting for its turn: not found by name yet.
      setUp('w1', 'web', '10.9.0.3');
      refreshNetworkNames(db, 'app');
      assert.doesNotMatch(readFileSync(client, 'utf8'), /web/);
      runs('w1', 'web');
      assert.match(readFileSync(client, 'utf8'), /^10\.9\.0\.3\tweb$/m);
      const worker = start('k1', 'worker', '10.9.0.4');
      assert.match(readFileSync(worker, 'utf8'), /^10\.9\.0\.3\tweb$/m);
      finishJob(db, 'w1', {
        status: 'COMPLETED',
        reason: 'exit',
        exitCode: 0,
        signal: null,
        endedAt: new Date().toISOString(),
      });
      refreshNetworkNames(db, 'app');
      const after = readFileSync(client, 'utf8');
      assert.doesNotMatch(after, /web/);
      assert.match(after, /^10\.9\.0\.4\tworker\n$/m);
      assert.ok(after.endsWith('worker\n'), 'cut to its new length, no padding left');
      assert.equal(fstatSync(openSync(client, 'r')).ino, inode, 'the same file (bind-mounted)');
    } finally {
      db.close();
      state.cleanup();
    }
  });

  it('refuses a second running single job of one name on one network', () => {
    const state = tempDir();
    const db = openDatabase(state.dir);
    try {
      assert.equal(addJob(db, 'x1', 'backend', 'app').ok, true);
      const second = addJob(db, 'x2', 'backend', 'app');
      assert.equal(second.ok, false);
      assert.equal(second.ok ? '' : second.problem.code, 'name-taken');
      assert.equal(addJob(db, 'x3', 'backend', 'other').ok, true);
    } finally {
      db.close();
      state.cleanup();
    }
  });
});

function addJob(db: Database, id: string, name: string | undefined, network: string) {
  return insertUniquelyNamed(db, {
    id,
    ...(name === undefined ? {} : { name }),
    command: ['true'],
    envNames: [],
    secretNames: [],
    network,
    resources: {},
    owner: { pid: process.pid, startTime: 1 },
    logPath: '/dev/null',
    createdAt: new Date().toISOString(),
  });
}
