/**
 * A workflow's output through the real engine and reporters: a job printing 300,000 lines (read by
 * rnx in chunks that cut lines anywhere) and a job with CRLF line ends and a last line without a
 * newline. Plain text prefixes every line with the job's padded name; `--json` gives one
 * `job-output` object per line; no line is lost, merged or reordered.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { runCli, tempDir } from '../helpers/cli.js';
import { outputOf, runWorkflowJson, writeWorkflow } from '../helpers/workflow.js';

const state = tempDir();
const files = tempDir('rnx-wf-');
after(() => {
  state.cleanup();
  files.cleanup();
});

const LINES = 300_000;
const WORKFLOW = `name: output
jobs:
  numbers:
    command: seq
    args: ['${String(LINES)}']
    network: none
  crlf:
    command: printf
    args: ['one\\r\\ntwo | three\\r\\n\\nlast without newline']
    network: none
    requires: [numbers: COMPLETED]
`;

describe('workflow output', () => {
  const file = writeWorkflow(files.dir, 'output', WORKFLOW);

  it('prefixes every line with its job, in order, whatever the chunks', async () => {
    const r = await runCli(['job', 'run', `--workflow=${file}`], {
      stateDir: state.dir,
      timeoutMs: 120_000,
    });
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.split('\n');
    const numbers = lines.filter((l) => l.startsWith('numbers | '));
    assert.equal(numbers.length, LINES);
    numbers.forEach((line, i) => {
      if (line !== `numbers | ${String(i + 1)}`) assert.fail(`line ${String(i)}: '${line}'`);
    });
    assert.deepEqual(
      lines.filter((l) => l.startsWith('crlf    | ')),
      ['crlf    | one', 'crlf    | two | three', 'crlf    | ', 'crlf    | last without newline'],
    );
  });

  it('--json gives one job-output object per line', async () => {
    const r = await runWorkflowJson(file, state.dir);
    assert.equal(r.code, 0, r.stderr);
    const numbers = outputOf(r.events, 'numbers');
    assert.equal(numbers.length, LINES);
    assert.ok(numbers.every((line, i) => line === String(i + 1)));
    assert.deepEqual(outputOf(r.events, 'crlf'), [
      'one',
      'two | three',
      '',
      'last without newline',
    ]);
  });
});
