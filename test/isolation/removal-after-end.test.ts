/**
 * A job's directories (cgroups, run directory, job filesystem) are removed after its end is
 * recorded and reported (isolation/end/removals.ts), the record `held` meanwhile: gone when the
 * command returns, and finished by the next rnx when the one that ran the job was killed in between
 * (the job keeps how it ended).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { JobCgroup } from '../../src/isolation/cgroups/job-cgroup.js';
import { openDatabase } from '../../src/state/database.js';
import { runCli, tempDir } from '../helpers/cli.js';

const state = tempDir();
after(() => state.cleanup());

const rnx = (...args: string[]) => runCli(args, { stateDir: state.dir });

function record(id: string): { held: number; status: string; cgroup: string; run_dir: string } {
  const db = openDatabase(state.dir);
  try {
    return db.prepare('SELECT held, status, cgroup, run_dir FROM jobs WHERE id = ?').get(id) as {
      held: number;
      status: string;
      cgroup: string;
      run_dir: string;
    };
  } finally {
    db.close();
  }
}

const entries = (dir: string): string[] => (existsSync(dir) ? readdirSync(dir) : []);

describe('removal after the end', () => {
  it('leaves nothing once rnx job run returned, and the record is no longer held', async () => {
    const ran = await rnx('job', 'run', '--network=none', '--json', 'true');
    assert.equal(ran.code, 0, ran.stderr);
    const { id } = JSON.parse(ran.stdout) as { id: string };
    const row = record(id);
    assert.equal(row.held, 0);
    assert.equal(row.status, 'COMPLETED');
    const cgroup = JSON.parse(row.cgroup) as JobCgroup;
    assert.ok(cgroup.dirs.length > 0);
    assert.deepEqual(
      cgroup.dirs.filter((d) => existsSync(d)),
      [],
    );
    assert.deepEqual(entries(join(state.dir, 'run')), []);
    assert.deepEqual(entries(join(state.dir, 'fs')), []);
  });

  it('after rnx is killed between the end record and the removals, the next rnx removes them', async () => {
    const ran = await rnx('job', 'run', '--network=none', '--json', 'sh', '-c', 'exit 3');
    assert.equal(ran.code, 3, ran.stderr);
    const { id } = JSON.parse(ran.stdout) as { id: string };
    const row = record(id);
    const cgroup = JSON.parse(row.cgroup) as JobCgroup;
    // The state a killed rnx leaves at that point: the end recorded, held, its directories there,
    // its owner gone.
    for (const dir of cgroup.dirs) mkdirSync(dir);
    mkdirSync(row.run_dir, { recursive: true });
    mkdirSync(join(state.dir, 'fs', id, 'work'), { recursive: true });
    const gone = spawnSync('true').pid;
    const db = openDatabase(state.dir);
    try {
      db.prepare('UPDATE jobs SET held = 1, owner_pid = ?, owner_start = 1 WHERE id = ?').run(
        gone,
        id,
      );
    } finally {
      db.close();
    }
    const next = await rnx('job', 'list');
    assert.equal(next.code, 0, next.stderr);
    assert.match(next.stderr, new RegExp(`cleaned up job ${id}`));
    assert.deepEqual(
      cgroup.dirs.filter((d) => existsSync(d)),
      [],
    );
    assert.equal(existsSync(row.run_dir), false);
    assert.deepEqual(entries(join(state.dir, 'fs')), []);
    const after = record(id);
    assert.equal(after.held, 0);
    // How it ended stays what was recorded: not "orphaned".
    assert.equal(after.status, 'FAILED');
    const status = await rnx('job', 'status', id, '--json');
    const job = JSON.parse(status.stdout) as { exitCode: number; reason: string };
    assert.equal(job.exitCode, 3);
    assert.equal(job.reason, 'exit');
  });
});
