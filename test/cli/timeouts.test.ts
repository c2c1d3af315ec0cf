/**
 * Timeouts past Node's 2^31 ms timer limit, for real: `--timeout=600h` and `timeout: 30d` used to
 * fire at once and kill the job; a timed-out job that traps SIGTERM and exits 0 used to be
 * recorded FAILED with exit code 0.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli, tempDir } from '../helpers/cli.js';

let state: { dir: string; cleanup: () => void };
before(() => (state = tempDir('rnx-timeouts-')));
after(() => state.cleanup());

const rnx = (args: string[]) => runCli(args, { stateDir: state.dir });

describe('timeouts', () => {
  it('--timeout=600h lets a job finish: exit 0, COMPLETED, and so does 25d', async () => {
    for (const timeout of ['600h', '25d']) {
      const r = await rnx([
        'job',
        'run',
        '--network=none',
        `--timeout=${timeout}`,
        '--json',
        'sh',
        '-c',
        'sleep 0.3; echo done',
      ]);
      assert.equal(r.code, 0, r.stderr);
      const job = JSON.parse(r.stdout) as { status: string; output: string };
      assert.equal(job.status, 'COMPLETED');
      assert.equal(job.output, 'done\n');
      assert.doesNotMatch(r.stderr, /TimeoutOverflowWarning/);
    }
  });

  it('timeout: 30d in a workflow lets the job finish', async () => {
    const file = join(state.dir, 'long.yaml');
    writeFileSync(
      file,
      'jobs:\n  slow:\n    command: sh\n    args: ["-c", "sleep 0.3"]\n    network: none\n    timeout: 30d\n',
    );
    const r = await rnx(['job', 'run', `--workflow=${file}`, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const finished = r.stdout
      .split('\n')
      .filter((l) => l.includes('"job-finished"'))
      .map((l) => JSON.parse(l) as { status: string; exitCode: number });
    assert.deepEqual(
      finished.map((e) => [e.status, e.exitCode]),
      [['COMPLETED', 0]],
    );
  });

  it('refuses a timeout past 365 days, in a flag and in a file, before anything starts', async () => {
    const flag = await rnx(['job', 'run', '--network=none', '--timeout=400d', 'true']);
    assert.equal(flag.code, 2);
    assert.match(flag.stderr, /--timeout '400d' is longer than 365 days/);
    const file = join(state.dir, 'forever.yaml');
    writeFileSync(file, 'jobs:\n  a:\n    command: "true"\n    timeout: 9999d\n');
    const r = await rnx(['workflow', 'validate', '--skip-environment', file]);
    assert.equal(r.code, 2);
    assert.match(
      r.stderr + r.stdout,
      /forever\.yaml:4:14 error out-of-range: .*longer than 365 days/,
    );
  });

  it('a timed-out job that traps SIGTERM and exits 0 is FAILED with exit code 124', async () => {
    const r = await rnx([
      'job',
      'run',
      '--network=none',
      '--timeout=300ms',
      '--json',
      'sh',
      '-c',
      'trap "exit 0" TERM; sleep 5 & wait',
    ]);
    const job = JSON.parse(r.stdout) as { status: string; reason: string; exitCode: number };
    assert.deepEqual([job.status, job.reason, job.exitCode], ['FAILED', 'timeout', 124]);
    assert.equal(r.code, 124);
  });
});
