/**
 * One database connection per rnx process: every command that reads or writes the state uses the
 * connection the killed-runs check opened before it (src/state/database.ts sharedDatabase) instead
 * of opening the file again. Counted from outside, as the kernel sees it: strace lists each open of
 * rnx.db by each process of the command (a detached job's supervisor is a process of its own).
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { noStackTrace, runCli, tempDir } from '../helpers/cli.js';
import { makeBusyboxRootfs } from '../helpers/fs-job.js';
import { straceEach } from '../helpers/strace.js';
import { writeWorkflow } from '../helpers/workflow.js';

const state = tempDir('rnx-one-connection-');
const files = tempDir('rnx-one-connection-files-');
const rnx = (args: readonly string[]) => runCli(args, { stateDir: state.dir });

const ONE_JOB = `name: one-job
jobs:
  only:
    command: sh
    args: ['-c', 'echo done']
    network: none
`;

/** A workflow on a network of its own: validating it reads the network store. */
const ON_COUNTED = `jobs:
  only: { command: 'true', network: counted }
`;

let jobId = '';
let runId = '';
let workflowFile = '';
let networkedFile = '';

before(async () => {
  const seed = await rnx(['job', 'run', '--network=none', '--name=seed', 'true']);
  assert.equal(seed.code, 0, seed.stderr);
  jobId = (JSON.parse((await rnx(['job', 'status', 'seed', '--json'])).stdout) as { id: string })
    .id;
  workflowFile = writeWorkflow(files.dir, 'one-job', ONE_JOB);
  networkedFile = writeWorkflow(files.dir, 'on-counted', ON_COUNTED);
  const detached = await rnx(['job', 'run', `--workflow=${workflowFile}`, '-d']);
  assert.equal(detached.code, 0, detached.stderr);
  runId = detached.stdout.trim();
  assert.equal((await rnx(['workflow', 'wait', runId])).code, 0);
  makeBusyboxRootfs(join(files.dir, 'tiny'), 'tiny');
});

after(() => {
  state.cleanup();
  files.cleanup();
});

/** How many times each process of `rnx ARGS` (exiting with `code`) opened the state database, by pid. */
async function databaseOpens(args: readonly string[], code: number): Promise<Map<string, number>> {
  const traces = join(files.dir, 'traces');
  const r = await runCli(args, {
    stateDir: state.dir,
    prefix: straceEach(traces, 'openat,open'),
  });
  assert.equal(r.code, code, `rnx ${args.join(' ')}: ${r.stderr}`);
  noStackTrace(r.stderr);
  const file = JSON.stringify(join(state.dir, 'rnx.db'));
  const opens = new Map<string, number>();
  for (const name of readdirSync(traces)) {
    // `openat(AT_FDCWD, "DIR/rnx.db", FLAGS) = FD`: a failed open (= -1 ...) is no connection.
    const count = readFileSync(join(traces, name), 'utf8')
      .split('\n')
      .filter((line) => line.includes(`${file},`) && !/ = -1 /.test(line)).length;
    if (count > 0) opens.set(name.slice('pid.'.length), count);
  }
  return opens;
}

describe('one database connection per command', () => {
  it('each command opens the state database once, the killed-runs check and the command sharing it', async () => {
    // Each with the exit code that says it did its work.
    const commands: [string[], number][] = [
      [['job', 'list'], 0],
      [['job', 'status', jobId], 0],
      [['job', 'log', jobId], 0],
      [['job', 'metrics', jobId], 0],
      [['job', 'wait', jobId], 0],
      [['job', 'stop', jobId], 1],
      [['job', 'run', '--network=none', 'true'], 0],
      [['job', 'timeout-detached', jobId], 0],
      [['job', 'finish-detached', 'ffffffffffff', '0'], 0],
      [['network', 'create', 'counted', '--cidr=10.231.0.0/24'], 0],
      [['network', 'list'], 0],
      [['network', 'inspect', 'counted'], 0],
      [['workflow', 'validate', networkedFile], 0],
      [['network', 'remove', 'counted'], 0],
      [['volume', 'create', 'counted'], 0],
      [['volume', 'list'], 0],
      [['volume', 'remove', 'counted'], 0],
      [['runtime', 'add', 'counted', join(files.dir, 'tiny')], 0],
      [['runtime', 'list'], 0],
      [['runtime', 'remove', 'counted'], 0],
      [['workflow', 'list'], 0],
      [['workflow', 'status', runId], 0],
      [['workflow', 'logs', runId], 0],
      [['workflow', 'artifacts', runId, '--json'], 0],
      [['workflow', 'wait', runId], 0],
      [['workflow', 'stop', runId], 1],
      [['workflow', 'rerun', runId, '--all'], 0],
      // A run that does not exist: the commands look for candidates to name, on the same connection.
      [['workflow', 'stop', 'wr-00000000'], 1],
      [['workflow', 'logs', 'wr-00000000'], 1],
      [['workflow', 'wait', 'wr-00000000'], 1],
      [['system', 'prune'], 0],
    ];
    const twice: string[] = [];
    for (const [args, code] of commands) {
      const opens = await databaseOpens(args, code);
      assert.ok(opens.size > 0, `rnx ${args.join(' ')} never opened the database`);
      for (const [pid, count] of opens) {
        if (count > 1) twice.push(`rnx ${args.join(' ')}: process ${pid} opened it ${count}×`);
      }
    }
    assert.deepEqual(twice, []);
  });

  it('workflow validate of a file naming only built-in networks opens no database', async () => {
    const opens = await databaseOpens(['workflow', 'validate', workflowFile], 0);
    assert.deepEqual([...opens], []);
  });
});
