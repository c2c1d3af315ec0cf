/**
 * A job's environment may not set the dynamic loader's variables (src/loader-env.ts): refused
 * from the flags before anything is made, from an env file at the start (the job FAILED with the
 * reason), from a workflow when it is validated. Otherwise host programs rnx starts with the job's
 * environment as root (an exec probe's sh and nsenter, a supervisor, bwrap) would load them.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { noStackTrace, runCli, tempDir } from '../helpers/cli.js';

const tmp = tempDir('rnx-loader-env-');
after(() => tmp.cleanup());
const state = join(tmp.dir, 'state');

describe("the loader's variables in a job's environment", () => {
  it('-e LD_PRELOAD: exit 2 before the job is recorded, saying what to do instead', async () => {
    const r = await runCli(
      [
        'job',
        'run',
        '--network=none',
        '-e',
        'LD_PRELOAD=/volumes/v/x.so',
        '--ready=exec:true',
        'true',
      ],
      { stateDir: state },
    );
    assert.equal(r.code, 2, r.stderr);
    noStackTrace(r.stderr);
    assert.match(
      r.stderr,
      /^rnx: --env LD_PRELOAD=\.\.\.: 'LD_PRELOAD' cannot be set in a job's environment/,
    );
    assert.match(r.stderr, /hint: set it inside the job's command instead/);
    assert.doesNotMatch(r.stderr, /ld\.so/, 'no host program loaded it');
    const list = await runCli(['job', 'list', '--json'], { stateDir: state });
    assert.deepEqual(JSON.parse(list.stdout), []);
  });

  it('from an env file: the start is refused, exit 2, and nothing ran', async () => {
    const file = join(tmp.dir, 'job.env');
    writeFileSync(file, 'A=1\nLD_LIBRARY_PATH=/volumes/v\n');
    const r = await runCli(['job', 'run', '--network=none', `--env-file=${file}`, 'echo', 'ran'], {
      stateDir: state,
    });
    assert.equal(r.code, 2, r.stderr);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /'LD_LIBRARY_PATH' cannot be set in a job's environment/);
  });

  it('from a workflow: validation says where', async () => {
    const file = join(tmp.dir, 'wf.yaml');
    writeFileSync(
      file,
      'jobs:\n  a:\n    command: "true"\n    environment:\n      GCONV_PATH: /work\n',
    );
    const r = await runCli(['workflow', 'validate', file], { stateDir: state });
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /wf\.yaml:5:7 error env-unsafe: 'GCONV_PATH' cannot be set/);
  });
});
