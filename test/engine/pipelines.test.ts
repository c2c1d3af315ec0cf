/**
 * What passes between jobs, for real (namespaces, the job filesystem, the CLI): outputs and
 * artifacts from a build to a deploy, a 2x2 matrix and a job waiting for all of it, a rerun that
 * repeats only the failed branch and reuses the build's artifact, and a secret passed through from
 * rnx's environment that reaches the job but never its log, the records or --json.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { JsonEvent } from '../../src/engine/events.js';
import { runCli, tempDir } from '../helpers/cli.js';
import {
  outputOf,
  parseEvents,
  runWorkflowJson,
  timesOf,
  writeWorkflow,
} from '../helpers/workflow.js';

const state = tempDir('rnx-pipelines-');
const files = tempDir('rnx-pipelines-files-');

before(async () => {
  const r = await runCli(['volume', 'create', 'counter'], { stateDir: state.dir });
  assert.equal(r.code, 0, r.stderr);
});

after(async () => {
  await runCli(['volume', 'remove', 'counter'], { stateDir: state.dir });
  state.cleanup();
  files.cleanup();
});

function runIdOf(events: readonly JsonEvent[]): string {
  const started = events.find((e) => e.event === 'workflow-started');
  assert.ok(started?.event === 'workflow-started');
  return started.runId;
}

function finishedOf(events: readonly JsonEvent[], job: string) {
  const e = events.find((x) => x.event === 'job-finished' && x.job === job);
  assert.ok(e?.event === 'job-finished', `${job} finished`);
  return e;
}

describe('pipelines', () => {
  it('passes an output and an artifact from build to deploy, read-only', async () => {
    const file = writeWorkflow(
      files.dir,
      'build-deploy',
      `
defaults: { network: none }
jobs:
  build:
    command: sh
    args: ['-c', 'mkdir -p dist && echo "app v7" > dist/app.txt && echo version=7.0 >> "$RNX_OUTPUT"']
    artifacts: ['dist/*.txt']
  deploy:
    command: sh
    args: ['-c', 'echo "deploy \${jobs.build.outputs.version}"; cat /artifacts/build/dist/app.txt; touch /artifacts/build/x 2>/dev/null || echo read-only']
    requires: [{ build: COMPLETED }]
`,
    );
    const r = await runWorkflowJson(file, state.dir);
    assert.equal(r.code, 0, r.stderr);
    const lines = outputOf(r.events, 'deploy');
    assert.deepEqual(lines, ['deploy 7.0', 'app v7', 'read-only']);
    assert.deepEqual(finishedOf(r.events, 'build').outputs, { version: '7.0' });
    const build = r.finished.jobs.find((j) => j.job === 'build');
    const status = await runCli(['job', 'status', build?.jobId ?? '', '--json'], {
      stateDir: state.dir,
    });
    assert.deepEqual((JSON.parse(status.stdout) as { outputs: unknown }).outputs, {
      version: '7.0',
    });
    const out = join(files.dir, 'out');
    const copied = await runCli(['workflow', 'artifacts', runIdOf(r.events), `--out=${out}`], {
      stateDir: state.dir,
    });
    assert.equal(copied.code, 0, copied.stderr);
    assert.equal(readFileSync(join(out, 'build', 'dist', 'app.txt'), 'utf8'), 'app v7\n');
  });

  it('fails a job that uses an output nobody wrote before it starts, and one missing its artifact', async () => {
    const file = writeWorkflow(
      files.dir,
      'missing',
      `
defaults: { network: none }
jobs:
  build: { command: 'true', artifacts: [dist/app.txt] }
  huge: { command: sh, args: ['-c', 'head -c 1100000 /dev/zero >> "$RNX_OUTPUT"'] }
  tag: { command: 'true' }
  use:
    command: echo
    args: ['\${jobs.tag.outputs.version}']
    requires: [{ tag: COMPLETED }]
`,
    );
    const r = await runWorkflowJson(file, state.dir);
    assert.equal(r.code, 1);
    const build = finishedOf(r.events, 'build');
    assert.deepEqual(
      [build.status, build.reason, build.exitCode],
      ['FAILED', 'artifact-missing', 0],
    );
    assert.match(build.message ?? '', /artifact 'dist\/app.txt' does not exist/);
    const huge = finishedOf(r.events, 'huge');
    assert.deepEqual([huge.status, huge.reason, huge.exitCode], ['FAILED', 'output-too-large', 0]);
    assert.match(huge.message ?? '', /\$RNX_OUTPUT holds 1100000 bytes/);
    const use = finishedOf(r.events, 'use');
    assert.deepEqual([use.status, use.reason], ['FAILED', 'output-missing']);
    assert.match(use.message ?? '', /job 'tag' wrote no output 'version'/);
    assert.equal(
      r.events.some((e) => e.event === 'job-started' && e.job === 'use'),
      false,
      'never started',
    );
  });

  it('system prune removes the files of runs no longer recorded and workspaces left behind', async () => {
    const runs = join(state.dir, 'runs');
    mkdirSync(join(runs, 'wr-gone0000', 'artifacts', 'x'), { recursive: true });
    const some = readdirSync(runs).find((r) => r !== 'wr-gone0000');
    assert.ok(some !== undefined);
    mkdirSync(join(runs, some, 'attempts', 'leftover', 'out'), { recursive: true });
    const r = await runCli(['system', 'prune'], { stateDir: state.dir });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /removed files of workflow run wr-gone0000 \(no longer recorded\)/);
    assert.match(r.stdout, new RegExp(`removed workspaces left by workflow run ${some}`));
    assert.equal(existsSync(join(runs, 'wr-gone0000')), false);
    assert.equal(existsSync(join(runs, some, 'attempts', 'leftover')), false);
  });

  it('runs a 2x2 matrix with each instance seeing its own values, and a job waiting for all four', async () => {
    const file = writeWorkflow(
      files.dir,
      'matrix',
      `
jobs:
  test:
    command: sh
    args: ['-c', 'echo "py=\${matrix.python} shard=$SHARD"']
    network: none
    environment: { SHARD: '\${matrix.shard}' }
    matrix: { python: ['3.11', '3.12'], shard: [1, 2] }
  all-done:
    command: echo
    args: [done]
    network: none
    requires: [{ test: COMPLETED }]
`,
    );
    const r = await runWorkflowJson(file, state.dir, ['--concurrency=4']);
    assert.equal(r.code, 0, r.stderr);
    for (const [py, shard] of [
      ['3.11', '1'],
      ['3.11', '2'],
      ['3.12', '1'],
      ['3.12', '2'],
    ] as const) {
      const name = `test-${py.replace('.', '-')}-${shard}`;
      assert.deepEqual(outputOf(r.events, name), [`py=${py} shard=${shard}`]);
    }
    const t = timesOf(r.events);
    const done = t.get('all-done');
    assert.ok(done);
    for (const [name, times] of t)
      if (name !== 'all-done') assert.ok(done.start >= times.end, `all-done after ${name}`);
  });

  it('reruns only the failed branch, reusing the completed build and its artifact', async () => {
    const flag = join(state.dir, 'volumes', 'counter', 'fixed');
    const file = writeWorkflow(
      files.dir,
      'rerun',
      `
defaults: { network: none, volumes: [counter] }
jobs:
  build:
    command: sh
    args: ['-c', 'echo build >> /volumes/counter/builds; mkdir -p out; echo "built once" > out/pkg.txt']
    artifacts: [out/pkg.txt]
  flaky:
    command: sh
    args: ['-c', 'echo flaky >> /volumes/counter/flaky; cat /artifacts/build/out/pkg.txt; test -e /volumes/counter/fixed']
    requires: [{ build: COMPLETED }]
  steady:
    command: sh
    args: ['-c', 'echo steady >> /volumes/counter/steady']
    requires: [{ build: COMPLETED }]
  after-flaky:
    command: echo
    args: [after]
    requires: [{ flaky: COMPLETED }]
`,
    );
    const first = await runWorkflowJson(file, state.dir);
    assert.equal(first.code, 1);
    const firstRun = runIdOf(first.events);
    writeFileSync(flag, '');
    const again = await runCli(['workflow', 'rerun', firstRun, '--json'], {
      stateDir: state.dir,
      timeoutMs: 120_000,
    });
    assert.equal(again.code, 0, again.stderr);
    const events = parseEvents(again.stdout);
    const started = events.flatMap((e) => (e.event === 'job-started' ? [e.job] : []));
    assert.deepEqual(started.sort(), ['after-flaky', 'flaky']);
    assert.deepEqual(outputOf(events, 'flaky'), ['built once']);
    const count = (name: string): number =>
      readFileSync(join(state.dir, 'volumes', 'counter', name), 'utf8').split('\n').length - 1;
    assert.deepEqual([count('builds'), count('steady'), count('flaky')], [1, 1, 2]);
    const status = await runCli(['workflow', 'status', runIdOf(events), '--json'], {
      stateDir: state.dir,
    });
    const run = JSON.parse(status.stdout) as {
      rerunOf: string;
      jobs: { name: string; status: string; reusedFrom: string | null }[];
    };
    assert.equal(run.rerunOf, firstRun);
    assert.deepEqual(
      run.jobs.map((j) => [j.name, j.status, j.reusedFrom]),
      [
        ['build', 'COMPLETED', firstRun],
        ['flaky', 'COMPLETED', null],
        ['steady', 'COMPLETED', firstRun],
        ['after-flaky', 'COMPLETED', null],
      ],
    );
  });

  it('takes values given without one from rnx environment, then --env-file, then env_file:', async () => {
    writeFileSync(
      join(files.dir, 'workflow.env'),
      'A=from-env_file\nB=from-env_file\nC=from-env_file\n',
    );
    writeFileSync(
      join(files.dir, 'cli.env'),
      '# comment\nB="from --env-file"\nC=from --env-file\n',
    );
    const file = writeWorkflow(
      files.dir,
      'env-files',
      'env_file: workflow.env\njobs:\n  a:\n    command: env\n    network: none\n    environment: { A:, B:, C: }\n',
    );
    const r = await runCli(
      ['job', 'run', `--workflow=${file}`, `--env-file=${join(files.dir, 'cli.env')}`, '--json'],
      { stateDir: state.dir, env: { C: 'from rnx' } },
    );
    assert.equal(r.code, 0, r.stderr);
    const lines = outputOf(parseEvents(r.stdout), 'a');
    for (const line of ['A=from-env_file', 'B=from --env-file', 'C=from rnx'])
      assert.ok(lines.includes(line), `${line} in ${lines.join(' | ')}`);
  });

  it('passes a secret through from rnx environment to the job, never to its log, records or --json', async () => {
    const secret = 'pl-s3cret-7f2c9';
    const file = writeWorkflow(
      files.dir,
      'secret',
      `
jobs:
  use:
    command: sh
    args: ['-c', 'case "$TOKEN" in pl-s3cret-?????) echo "token ok";; esac; echo "leak: $TOKEN"; echo "token=$TOKEN" >> "$RNX_OUTPUT"']
    network: none
    secret_environment:
      TOKEN:
`,
    );
    const unset = await runCli(['job', 'run', `--workflow=${file}`], { stateDir: state.dir });
    assert.equal(unset.code, 2);
    assert.match(unset.stderr + unset.stdout, /error env-unset: 'TOKEN' has no value here/);
    const r = await runCli(['job', 'run', `--workflow=${file}`, '--json'], {
      stateDir: state.dir,
      env: { TOKEN: secret },
    });
    assert.equal(r.code, 0, r.stderr);
    const events = parseEvents(r.stdout);
    assert.deepEqual(outputOf(events, 'use'), ['token ok', 'leak: ***']);
    assert.deepEqual(finishedOf(events, 'use').outputs, { token: '***' });
    assert.equal(r.stdout.includes(secret), false, '--json');
    for (const path of filesUnder(state.dir))
      assert.equal(readFileSync(path).includes(secret), false, path);
  });
});

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name));
}
