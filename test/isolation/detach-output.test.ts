/**
 * A detached job's stdout and stderr, for real: one pipe (a FIFO) that its supervisor's reader
 * (`cat`) appends to the log, never the log file itself. A job that reopens /dev/stdout (O_TRUNC)
 * keeps its whole log; one running as another user can open /dev/stdout and /dev/stderr (masked
 * by `sed` when it has secrets); and a
 * detached job costs one process beyond the supervisor, the sandbox program and the job: its reader.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { after, describe, it } from 'node:test';
import { runCli, tempDir } from '../helpers/cli.js';
import { leftovers } from '../helpers/leftovers.js';
import { stopEveryJob } from '../helpers/state-leftovers.js';
import { processExists } from './job-rig.js';

const state = tempDir('rnx-detach-output-');
after(async () => {
  await stopEveryJob(state.dir);
  state.cleanup();
});

const rnx = (args: readonly string[]): ReturnType<typeof runCli> =>
  runCli(args, { stateDir: state.dir });

/** Starts `rnx job run -d --network=none ARGS...`, returns the job's id. */
async function detached(...args: string[]): Promise<string> {
  const started = await rnx(['job', 'run', '-d', '--network=none', ...args]);
  assert.equal(started.code, 0, started.stderr);
  const id = started.stdout.trim();
  assert.match(id, /^[0-9a-f]{12}$/);
  return id;
}

/** Waits for the job's end (its exit code), then returns its log. */
async function logAfterEnd(id: string): Promise<{ code: number | null; log: string }> {
  const waited = await rnx(['job', 'wait', id]);
  const log = await rnx(['job', 'log', id]);
  assert.equal(log.code, 0, log.stderr);
  return { code: waited.code, log: log.stdout };
}

function commOf(pid: number): string {
  return readFileSync(`/proc/${String(pid)}/comm`, 'utf8').trim();
}

function childrenOf(pid: number): number[] {
  return readFileSync(`/proc/${String(pid)}/task/${String(pid)}/children`, 'utf8')
    .trim()
    .split(' ')
    .filter((n) => n !== '')
    .map(Number);
}

/** The job's supervisor: the shell named rnx-supervisor holding the job's end FIFO. */
function supervisorOf(id: string): number | undefined {
  return readdirSync('/proc')
    .filter((p) => /^\d+$/.test(p))
    .map(Number)
    .find((pid) => {
      try {
        const args = readFileSync(`/proc/${String(pid)}/cmdline`, 'utf8').split('\0');
        return (
          commOf(pid) === 'sh' &&
          args.includes('rnx-supervisor') &&
          args.some((a) => a.includes(`ends/${id}`)) &&
          processExists(pid)
        );
      } catch {
        return false;
      }
    });
}

/** The command names of `pid` and all its descendants, sorted. */
function treeOf(pid: number): string[] {
  const names: string[] = [];
  const visit = (p: number): void => {
    try {
      names.push(commOf(p));
      for (const child of childrenOf(p)) visit(child);
    } catch {
      // Gone meanwhile.
    }
  };
  visit(pid);
  return names.sort();
}

describe("a detached job's output", () => {
  it('reopening /dev/stdout appends to the pipe: the log keeps every line', async () => {
    const id = await detached(
      '--',
      'sh',
      '-c',
      'echo first; echo second > /dev/stdout; echo third; echo fourth > /dev/stderr',
    );
    const { code, log } = await logAfterEnd(id);
    assert.equal(code, 0);
    assert.equal(log, 'first\nsecond\nthird\nfourth\n');
    assert.deepEqual(leftovers(state.dir, [id], []), []);
  });

  it('a job running as nobody opens /dev/stdout and /dev/stderr', async () => {
    const id = await detached(
      '--user=nobody',
      '--',
      'sh',
      '-c',
      'echo out > /dev/stdout && echo err > /dev/stderr && echo fd > /proc/self/fd/1 && id -u',
    );
    const { code, log } = await logAfterEnd(id);
    assert.equal(code, 0, log);
    assert.equal(log, 'out\nerr\nfd\n65534\n');
  });

  it('masked output as nobody: /dev/stdout opens, the log is masked', async () => {
    const started = await runCli(
      [
        'job',
        'run',
        '-d',
        '--network=none',
        '--user=nobody',
        '-s',
        'TOKEN',
        '--',
        'sh',
        '-c',
        'echo "token $TOKEN" > /dev/stdout && echo done',
      ],
      { stateDir: state.dir, env: { TOKEN: 'pa55-detached-71c' } },
    );
    assert.equal(started.code, 0, started.stderr);
    const { code, log } = await logAfterEnd(started.stdout.trim());
    assert.equal(code, 0, log);
    assert.equal(log, 'token ***\ndone\n');
  });

  it('costs one reader process: supervisor, cat, rnx-sandbox and the job; none left after it ends', async () => {
    const id = await detached('sleep', '600');
    const supervisor = supervisorOf(id);
    assert.ok(supervisor !== undefined, 'the supervisor runs');
    // Its relay (a subshell) ends once it has passed the go on; bounded wait for that.
    const expected = ['cat', 'rnx-sandbox', 'sh', 'sleep'];
    for (let i = 0; i < 500 && treeOf(supervisor).join() !== expected.join(); i++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    assert.deepEqual(treeOf(supervisor), expected);
    const stopped = await rnx(['job', 'stop', id, '--grace=1s']);
    assert.equal(stopped.code, 0, stopped.stderr);
    // The supervisor, become rnx, records the end, then exits: bounded wait for that.
    for (let i = 0; i < 500 && processExists(supervisor); i++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    assert.equal(processExists(supervisor), false, 'the supervisor has ended');
    assert.deepEqual(leftovers(state.dir, [id], []), []);
  });
});
