/**
 * A single job's rnx makes two threads in libuv's pool, not Node's four (cli/commands/job/run.ts:
 * the cgroup warm-up and a job filesystem's mkdirs are all a job start gives the pool), unless
 * the caller set UV_THREADPOOL_SIZE.
 * Counted in /proc while the job waits on its stdin, after it said it runs.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { collectRun, RNX_BIN, tempDir } from '../helpers/cli.js';

const scratch = tempDir('rnx-test-pool-');
after(() => scratch.cleanup());

/** Names of the threads of process `pid`. */
function threadNames(pid: number): string[] {
  return readdirSync(`/proc/${String(pid)}/task`).map((tid) =>
    readFileSync(`/proc/${String(pid)}/task/${tid}/comm`, 'utf8').trim(),
  );
}

/** libuv's pool threads in rnx while its job runs (`extra`: more of rnx's environment). */
async function poolThreads(extra: Record<string, string>): Promise<number> {
  const child = spawn(
    process.execPath,
    [RNX_BIN, 'job', 'run', '--network=none', '--', 'sh', '-c', 'echo up; read line'],
    {
      env: { ...process.env, RNX_STATE_DIR: join(scratch.dir, 'state'), NO_COLOR: '1', ...extra },
      stdio: ['pipe', 'pipe', 'pipe'],
    },
  );
  const run = collectRun(child);
  const up = new Promise<void>((resolve) => {
    child.stdout.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('up')) resolve();
    });
  });
  await up;
  const count = threadNames(child.pid ?? -1).filter((name) => name === 'libuv-worker').length;
  child.stdin.end('go\n');
  const ended = await run;
  assert.equal(ended.code, 0, ended.stderr);
  return count;
}

describe("a single job's thread pool", () => {
  it('is two threads', async () => {
    assert.equal(await poolThreads({}), 2);
  });

  it('is the size the caller set', async () => {
    assert.equal(await poolThreads({ UV_THREADPOOL_SIZE: '3' }), 3);
  });
});
