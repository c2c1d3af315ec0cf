/**
 * Detached workflow runs: `rnx job run --workflow=F -d` returns the run id once the run is
 * recorded; `workflow logs --follow` prints every job's lines with the live view's prefixes until
 * the run ends; `workflow wait` exits with the run's code; `workflow stop` stops it as Ctrl-C.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { runCli, tempDir } from '../helpers/cli.js';
import { leasesLeft } from '../helpers/leftovers.js';
import { writeWorkflow } from '../helpers/workflow.js';

const state = tempDir();
const files = tempDir('rnx-wf-');

after(() => {
  state.cleanup();
  files.cleanup();
});

const TWO_STEPS = `name: two-steps
jobs:
  first:
    command: sh
    args: ['-c', 'echo one; echo two']
    network: none
  second-step:
    command: sh
    args: ['-c', 'echo three; exit 4']
    network: none
    requires:
      - first: COMPLETED
`;

const SERVICE = `name: service
jobs:
  server:
    command: sh
    args: ['-c', 'echo up; exec sleep 300']
    network: bridge
`;

async function detach(file: string): Promise<string> {
  const r = await runCli(['job', 'run', `--workflow=${file}`, '-d'], { stateDir: state.dir });
  assert.equal(r.code, 0, r.stderr);
  const runId = r.stdout.trim();
  assert.match(runId, /^wr-[0-9a-f]{8}$/);
  return runId;
}

describe('detached workflow runs', () => {
  it('logs --follow until the end, with job prefixes; wait exits with the run code', async () => {
    const runId = await detach(writeWorkflow(files.dir, 'two-steps', TWO_STEPS));
    const logs = await runCli(['workflow', 'logs', runId, '--follow'], { stateDir: state.dir });
    assert.equal(logs.code, 0, logs.stderr);
    assert.deepEqual(logs.stdout.trim().split('\n'), [
      'first       | one',
      'first       | two',
      'second-step | three',
    ]);
    const waited = await runCli(['workflow', 'wait', runId, '--json'], { stateDir: state.dir });
    assert.equal(waited.code, 1, waited.stderr);
    assert.equal((JSON.parse(waited.stdout) as { status: string }).status, 'FAILED');
    const again = await runCli(['workflow', 'logs', runId], { stateDir: state.dir });
    assert.equal(again.stdout, logs.stdout);
  });

  it('stop ends a running run as Ctrl-C would; wait then exits 130', async () => {
    const runId = await detach(writeWorkflow(files.dir, 'service', SERVICE));
    const stopped = await runCli(['workflow', 'stop', runId], { stateDir: state.dir });
    assert.equal(stopped.code, 0, stopped.stderr);
    assert.equal(stopped.stdout.trim(), `${runId} CANCELED`);
    const waited = await runCli(['workflow', 'wait', runId], { stateDir: state.dir });
    assert.equal(waited.code, 130);
    const status = await runCli(['workflow', 'status', runId, '--json'], { stateDir: state.dir });
    const run = JSON.parse(status.stdout) as { jobs: { name: string; status: string }[] };
    assert.deepEqual(
      run.jobs.map((j) => [j.name, j.status]),
      [['server', 'STOPPED']],
    );
    const twice = await runCli(['workflow', 'stop', runId], { stateDir: state.dir });
    assert.equal(twice.code, 1);
    assert.equal(leasesLeft(state.dir), 0);
  });
});
