/**
 * Workflows with the job filesystem, end to end through `rnx job run --workflow`: uploads relative
 * to the workflow file, a volume shared by jobs and kept between runs, a runtime, `${NAME}`
 * environment, and escaping uploads refused by validation with their location.
 */
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli, tempDir } from '../helpers/cli.js';
import { makeBusyboxRootfs, mountTable } from '../helpers/fs-job.js';
import { outputOf, runWorkflowJson, writeWorkflow } from '../helpers/workflow.js';

describe('workflows with uploads, volumes and runtimes', () => {
  const t = tempDir('rnx-workflow-fs-');
  const stateDir = join(t.dir, 'state');
  const project = join(t.dir, 'project');
  let mountsBefore: string;
  const rnx = (...args: string[]) => runCli(args, { stateDir, cwd: project });

  before(async () => {
    mkdirSync(join(project, 'src'), { recursive: true });
    writeFileSync(join(project, 'src', 'step.sh'), 'echo "step $1 in $(pwd)"\n');
    writeFileSync(join(project, 'notes.txt'), 'notes\n');
    makeBusyboxRootfs(join(t.dir, 'tiny'), 'tiny linux');
    assert.equal((await rnx('volume', 'create', 'shared')).code, 0);
    assert.equal((await rnx('runtime', 'add', 'tiny', join(t.dir, 'tiny'))).code, 0);
    mountsBefore = mountTable();
  });
  after(() => t.cleanup());

  const pipeline = `name: pipeline
volumes: [shared]
environment:
  OUT: /volumes/shared/runs
jobs:
  produce:
    command: sh
    args: ['-c', 'sh /work/src/step.sh one >> "$OUT"; cat /work/notes.txt; echo "\${STAGE}"']
    network: none
    volumes: [shared]
    environment:
      STAGE: 'writing \${OUT}'
    uploads:
      files: [notes.txt]
      directories: [src]
  consume:
    command: sh
    args: ['-c', 'cat /etc/os-release; cat "$OUT"']
    network: none
    runtime: tiny
    volumes: [shared]
    requires:
      - produce: COMPLETED
`;

  it('runs jobs with uploads from the workflow folder and a volume kept between two runs', async () => {
    const file = writeWorkflow(project, 'pipeline', pipeline);
    const first = await runWorkflowJson(file, stateDir);
    assert.equal(first.code, 0, first.stderr);
    assert.deepEqual(outputOf(first.events, 'produce'), ['notes', 'writing /volumes/shared/runs']);
    assert.deepEqual(outputOf(first.events, 'consume'), [
      'NAME="tiny linux"',
      'ID=rnxtest',
      'step one in /work',
    ]);
    const second = await runWorkflowJson(file, stateDir);
    assert.equal(second.code, 0, second.stderr);
    assert.deepEqual(outputOf(second.events, 'consume').slice(2), [
      'step one in /work',
      'step one in /work',
    ]);
    assert.equal(mountTable(), mountsBefore);
  });

  it('expands ${NAME} in secret_environment into the job, never into its output', async () => {
    const file = writeWorkflow(
      project,
      'secret',
      `environment:
  REGION: eu-1
secret_environment:
  TOKEN: 'tok-\${REGION}-s3cr3t'
jobs:
  use:
    command: sh
    args: ['-c', 'printf %s "$TOKEN" > /volumes/shared/token; echo "token is $TOKEN"']
    network: none
    volumes: [shared]
`,
    );
    const r = await runWorkflowJson(file, stateDir);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(
      readFileSync(join(stateDir, 'volumes', 'shared', 'token'), 'utf8'),
      'tok-eu-1-s3cr3t',
    );
    assert.doesNotMatch(JSON.stringify(r.events), /s3cr3t/);
  });

  it('refuses uploads that escape the workflow folder, with their location', async () => {
    symlinkSync('/etc/passwd', join(project, 'passwd-link'));
    const file = writeWorkflow(
      project,
      'escape',
      `jobs:
  leak:
    command: cat
    network: none
    uploads:
      files: [notes.txt, ../../etc/passwd, /etc/shadow, passwd-link]
`,
    );
    const r = await rnx('job', 'run', `--workflow=${file}`);
    assert.equal(r.code, 2);
    assert.match(
      r.stderr,
      /escape\.yaml:6:26 error upload-outside: upload '\.\.\/\.\.\/etc\/passwd'/,
    );
    assert.match(r.stderr, /escape\.yaml:6:44 error upload-outside: upload '\/etc\/shadow'/);
    assert.match(
      r.stderr,
      /escape\.yaml:6:57 error upload-escapes: upload 'passwd-link' is a symlink to \/etc\/passwd, outside/,
    );
    assert.equal((await rnx('job', 'list')).stdout.includes('leak'), false);
  });

  it('refuses a volume or runtime that does not exist, at its location', async () => {
    const file = writeWorkflow(
      project,
      'missing',
      `jobs:
  a:
    command: 'true'
    network: none
    volumes: [shraed]
    runtime: tiyn
`,
    );
    const r = await rnx('workflow', 'validate', file);
    assert.equal(r.code, 2);
    assert.match(
      r.stderr,
      /missing\.yaml:5:15 error \S+: volume 'shraed' does not exist; did you mean 'shared'\?/,
    );
    assert.match(
      r.stderr,
      /missing\.yaml:6:14 error \S+: runtime 'tiyn' does not exist; did you mean 'tiny'\?/,
    );
  });
});
