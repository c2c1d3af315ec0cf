/**
 * `rnx workflow logs RUN` prints the lines of all the run's jobs in the order they were written,
 * not job by job: two jobs take turns (each waits on a FIFO in a shared volume for the other's
 * turn) and the logs read back alternate, with the live view's `name |` prefixes.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { runCli, tempDir } from '../helpers/cli.js';
import { writeWorkflow } from '../helpers/workflow.js';

const state = tempDir();
const files = tempDir('rnx-wf-');

after(() => {
  state.cleanup();
  files.cleanup();
});

// The pause after each line lets rnx read and log it before the other job's turn begins (the
// turns themselves are FIFOs, not delays).
const TURNS = `name: turns
volumes: [talk]
jobs:
  setup:
    command: sh
    args: ['-c', 'mkfifo /volumes/talk/to-alpha /volumes/talk/to-beta']
    network: none
    volumes: [talk]
  alpha:
    command: sh
    args:
      - -c
      - |
        echo alpha 1; sleep 0.2; echo > /volumes/talk/to-beta
        read turn < /volumes/talk/to-alpha
        echo alpha 2; sleep 0.2; echo > /volumes/talk/to-beta
    network: none
    volumes: [talk]
    requires: [setup: COMPLETED]
  beta:
    command: sh
    args:
      - -c
      - |
        read turn < /volumes/talk/to-beta
        echo beta 1; sleep 0.2; echo > /volumes/talk/to-alpha
        read turn < /volumes/talk/to-beta
        echo beta 2
    network: none
    volumes: [talk]
    requires: [setup: COMPLETED]
`;

describe('workflow logs', () => {
  before(async () => {
    assert.equal((await runCli(['volume', 'create', 'talk'], { stateDir: state.dir })).code, 0);
  });

  it('interleaves the jobs’ lines in the order they were written', async () => {
    const started = await runCli(
      ['job', 'run', `--workflow=${writeWorkflow(files.dir, 'turns', TURNS)}`, '-d'],
      { stateDir: state.dir },
    );
    assert.equal(started.code, 0, started.stderr);
    const runId = started.stdout.trim();
    const waited = await runCli(['workflow', 'wait', runId], { stateDir: state.dir });
    assert.equal(waited.code, 0, waited.stderr);
    const logs = await runCli(['workflow', 'logs', runId], { stateDir: state.dir });
    assert.equal(logs.code, 0, logs.stderr);
    assert.deepEqual(logs.stdout.trim().split('\n'), [
      'alpha | alpha 1',
      'beta  | beta 1',
      'alpha | alpha 2',
      'beta  | beta 2',
    ]);
    const follow = await runCli(['workflow', 'logs', runId, '--follow'], { stateDir: state.dir });
    assert.equal(follow.stdout, logs.stdout, 'an ended run reads the same with --follow');
  });
});
