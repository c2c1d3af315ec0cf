/**
 * `rnx job list` filters (--status, --network, --workflow, --limit with the hidden-jobs line) and
 * `rnx system prune --older-than`, which removes the records and logs of ended jobs only, and only
 * in its own state directory.
 */
import assert from 'node:assert/strict';
import { cpSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { runCli, tempDir } from '../helpers/cli.js';

const state = tempDir();

after(() => state.cleanup());

const rnx = (...args: string[]) => runCli(args, { stateDir: state.dir });

describe('job list filters and prune --older-than', () => {
  it('filters by status and network, limits with a line saying how many are hidden', async () => {
    // Each prints a line: a job's log is made with its first output, and prune's tests need logs.
    assert.equal((await rnx('job', 'run', '--network=none', 'echo', 'one')).code, 0);
    assert.equal(
      (await rnx('job', 'run', '--network=none', 'sh', '-c', 'echo two; exit 5')).code,
      5,
    );
    assert.equal((await rnx('job', 'run', '--network=none', 'echo', 'three')).code, 0);

    const failed = await rnx('job', 'list', '--status', 'failed', '--json');
    const rows = JSON.parse(failed.stdout) as { status: string; exitCode: number }[];
    assert.deepEqual(
      rows.map((r) => [r.status, r.exitCode]),
      [['FAILED', 5]],
    );
    const none = await rnx('job', 'list', '--network', 'bridge', '--json');
    assert.deepEqual(JSON.parse(none.stdout), []);

    const limited = await rnx('job', 'list', '--limit', '1');
    const lines = limited.stdout.trim().split('\n');
    assert.equal(lines.length, 3, limited.stdout);
    assert.equal(lines[2], '(2 older jobs not shown; --limit 0 shows all)');

    const wrong = await rnx('job', 'list', '--status', 'DONE');
    assert.equal(wrong.code, 2);
    assert.match(wrong.stderr, /unknown status 'DONE'/);
  });

  it('prune --older-than in a copy of the state directory leaves the original logs alone', async () => {
    const copy = tempDir('rnx-prune-copy-');
    try {
      const moved = join(copy.dir, 'state');
      cpSync(state.dir, moved, { recursive: true });
      const list = JSON.parse((await rnx('job', 'list', '--json')).stdout) as {
        id: string;
        log: string;
      }[];
      assert.equal(list.length, 3);
      const pruned = await runCli(['system', 'prune', '--older-than=1ms'], { stateDir: moved });
      assert.equal(pruned.code, 0, pruned.stderr);
      assert.match(pruned.stdout, /removed 3 job records with their logs/);
      // The copy's own logs are gone; the logs its records name, in the original, are not.
      for (const job of list) {
        assert.equal(existsSync(join(moved, 'logs', `${job.id}.log`)), false);
        assert.equal(existsSync(job.log), true, job.log);
      }
    } finally {
      copy.cleanup();
    }
  });

  it('prune --older-than removes ended jobs with their logs', async () => {
    const list = JSON.parse((await rnx('job', 'list', '--json')).stdout) as { log: string }[];
    assert.equal(list.length, 3);
    const pruned = await rnx('system', 'prune', '--older-than=1ms');
    assert.equal(pruned.code, 0, pruned.stderr);
    assert.match(pruned.stdout, /removed 3 job records with their logs/);
    assert.deepEqual(JSON.parse((await rnx('job', 'list', '--json')).stdout), []);
    for (const job of list) assert.equal(existsSync(job.log), false);
    assert.equal((await rnx('system', 'prune', '--older-than=soon')).code, 2);
  });
});
