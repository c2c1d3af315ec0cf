/**
 * A job's directories (cgroups, run directory, job filesystem) are removed after its end is
 * recorded and reported (isolation/end/removals.ts), the record `held` meanwhile: gone when the
 * command returns, and finished by the next rnx when the one that ran the job was killed in between
 * (the job keeps how it ended). A step of the release that fails does not keep the later ones
 * from running (run-end.ts).
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { JobCgroup } from '../../src/isolation/cgroups/job-cgroup.js';
import { releaseHeld, removeAfterEnd } from '../../src/isolation/end/run-end.js';
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

  describe('a step that fails does not keep the others', () => {
    interface StuckJob {
      id: string;
      cgroup: JobCgroup;
      runDir: string;
      jobDir: string;
      cleanup: () => void;
    }

    /**
     * A finished job's record, with its directories made again as a killed rnx leaves them, and
     * a run directory that cannot be removed: a file system mounted inside it (rm gets EBUSY).
     */
    async function stuckJob(): Promise<StuckJob> {
      const ran = await rnx('job', 'run', '--network=none', '--json', 'true');
      assert.equal(ran.code, 0, ran.stderr);
      const { id } = JSON.parse(ran.stdout) as { id: string };
      const row = record(id);
      const cgroup = JSON.parse(row.cgroup) as JobCgroup;
      for (const dir of cgroup.dirs) mkdirSync(dir);
      const stuck = join(row.run_dir, 'stuck');
      mkdirSync(stuck, { recursive: true });
      execFileSync('mount', ['-t', 'tmpfs', 'rnx-test-stuck', stuck]);
      const jobDir = join(state.dir, 'fs', id);
      mkdirSync(join(jobDir, 'work'), { recursive: true });
      return {
        id,
        cgroup,
        runDir: row.run_dir,
        jobDir,
        cleanup: () => {
          execFileSync('umount', [stuck]);
          for (const dir of cgroup.dirs) spawnSync('rmdir', [dir]);
        },
      };
    }

    /** `release` throws the run directory's error, once the cgroups and job filesystem are gone. */
    async function releasedAllBut(
      job: StuckJob,
      release: typeof removeAfterEnd | typeof releaseHeld,
    ): Promise<void> {
      const db = openDatabase(state.dir);
      try {
        const held = { cgroup: job.cgroup, runDir: job.runDir, filesystem: state.dir };
        await assert.rejects(release(db, job.id, held), { code: 'EBUSY' });
      } finally {
        db.close();
      }
      assert.deepEqual(
        job.cgroup.dirs.filter((d) => existsSync(d)),
        [],
      );
      assert.equal(existsSync(job.jobDir), false);
    }

    it('after the end: the cgroups and the job filesystem go, then the run directory error is thrown', async () => {
      const job = await stuckJob();
      try {
        await releasedAllBut(job, removeAfterEnd);
        assert.equal(existsSync(job.runDir), true);
      } finally {
        job.cleanup();
      }
    });

    it('before the end is recorded: a process left in its cgroup is killed, and everything else goes too', async () => {
      const job = await stuckJob();
      const left = spawn('sleep', ['300'], { stdio: 'ignore' });
      const gone = new Promise((resolve) => left.on('exit', resolve));
      const pid = left.pid ?? -1;
      for (const file of job.cgroup.procsFiles) writeFileSync(file, String(pid));
      try {
        await releasedAllBut(job, releaseHeld);
        assert.equal(await gone, null);
        assert.equal(left.signalCode, 'SIGKILL');
      } finally {
        left.kill('SIGKILL');
        job.cleanup();
      }
    });
  });
});
