/**
 * A closed stdout (`rnx network inspect bridge | head -1`): every command that prints exits quietly
 * with 141, as a tool killed by SIGPIPE would, and never with an EPIPE trace. The reader's end of
 * the pipe is closed before rnx writes anything.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { REPO_ROOT, RNX_BIN, runCli, tempDir } from '../helpers/cli.js';

let state: { dir: string; cleanup: () => void };
let workflow = '';

function withClosedStdout(
  args: readonly string[],
): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [RNX_BIN, ...args], {
      cwd: REPO_ROOT,
      env: { ...process.env, RNX_STATE_DIR: state.dir, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.destroy();
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

describe('a closed stdout', () => {
  before(async () => {
    state = tempDir('rnx-closed-out-');
    workflow = join(state.dir, 'w.yaml');
    writeFileSync(workflow, 'jobs:\n  a: { command: echo, args: [a], network: none }\n');
    const job = await runCli(['job', 'run', '--network=none', '--name=printed', 'echo', 'hi'], {
      stateDir: state.dir,
    });
    assert.equal(job.code, 0, job.stderr);
  });
  after(() => state.cleanup());

  const commands: readonly (readonly string[])[] = [
    ['--help'],
    ['--version'],
    ['job', 'run', '--help'],
    ['network', 'list'],
    ['network', 'inspect', 'bridge'],
    ['job', 'list'],
    ['job', 'status', 'printed'],
    ['job', 'log', 'printed'],
    ['workflow', 'list'],
    ['system', 'check'],
    ['volume', 'list'],
    ['runtime', 'list'],
    ['workflow', 'validate', 'workflows/diamond.yaml'],
    ['workflow', 'graph', 'workflows/diamond.yaml'],
    ['job', 'run', '--workflow=workflows/diamond.yaml', '--dry-run'],
  ];
  for (const args of commands) {
    it(`rnx ${args.join(' ')} exits 141, quietly`, async () => {
      const r = await withClosedStdout(args);
      assert.doesNotMatch(r.stderr, /EPIPE|\n\s+at /);
      assert.equal(r.code, 141, r.stderr);
    });
  }

  it('a workflow run stops its jobs and ends', async () => {
    const r = await withClosedStdout(['job', 'run', `--workflow=${workflow}`]);
    assert.doesNotMatch(r.stderr, /EPIPE|\n\s+at /);
    const runs = await runCli(['workflow', 'list', '--json'], { stateDir: state.dir });
    assert.doesNotMatch(runs.stdout, /RUNNING/);
  });

  // Jobs that print until they are stopped: the closed output is what stops them.
  it('rnx job run of a job that prints exits 141, the job stopped', async () => {
    const r = await withClosedStdout(['job', 'run', '--network=none', '--name=talker', 'yes']);
    assert.doesNotMatch(r.stderr, /EPIPE|\n\s+at /);
    assert.equal(r.code, 141, r.stderr);
    const job = await runCli(['job', 'status', 'talker', '--json'], { stateDir: state.dir });
    assert.equal(job.code, 0, job.stderr);
    assert.equal((JSON.parse(job.stdout) as { status: string }).status, 'STOPPED');
  });

  it('a workflow run whose job prints exits 141, the run CANCELED', async () => {
    const loud = join(state.dir, 'loud.yaml');
    writeFileSync(loud, 'name: loud\njobs:\n  talk: { command: yes, network: none }\n');
    const r = await withClosedStdout(['job', 'run', `--workflow=${loud}`]);
    assert.doesNotMatch(r.stderr, /EPIPE|\n\s+at /);
    assert.equal(r.code, 141, r.stderr);
    const runs = await runCli(['workflow', 'list', '--json'], { stateDir: state.dir });
    const loudRun = (JSON.parse(runs.stdout) as { workflow: string; status: string }[]).find(
      (run) => run.workflow === 'loud',
    );
    assert.equal(loudRun?.status, 'CANCELED', runs.stdout);
  });
});
