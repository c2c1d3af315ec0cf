import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { specFromFlags } from '../../src/cli/job-flags.js';
import { JOB_ID_PATTERN } from '../../src/isolation/records/job-id.js';

const flags = (options: Record<string, string | boolean | string[]>, positionals: string[]) =>
  specFromFlags({ options, positionals }, { FROM_ENV: 'env-value' });

describe('rnx job run flags as a job spec', () => {
  it('passes the command and its arguments verbatim, on the bridge network by default', () => {
    const spec = flags({}, ['ls', '-la', '--', '/tmp']);
    assert.ok(spec.ok);
    assert.equal(spec.value.command, 'ls');
    assert.deepEqual(spec.value.args, ['-la', '--', '/tmp']);
    assert.equal(spec.value.network, 'bridge');
    assert.match(spec.value.id, JOB_ID_PATTERN);
  });

  it('gives the job the variables of --env-file, under -e and -s, and looks names up in them', () => {
    const spec = specFromFlags(
      { options: { env: ['A=flag', 'FROM_FILE'], 'secret-env': ['TOKEN'] }, positionals: ['true'] },
      { FROM_ENV: 'env-value' },
      { A: 'file', B: 'file', FROM_FILE: 'file-value', TOKEN: 's3cret' },
    );
    assert.ok(spec.ok);
    assert.deepEqual(spec.value.env, { A: 'flag', B: 'file', FROM_FILE: 'file-value' });
    assert.deepEqual(spec.value.secretEnv, { TOKEN: 's3cret' });
  });

  it('reads limits into bytes, percent, CPU lists and milliseconds', () => {
    const spec = flags(
      {
        'max-memory': '512M',
        'max-cpu': '50',
        'max-iobps': '10M',
        'cpu-cores': '0',
        'max-processes': '64',
        timeout: '1m30s',
      },
      ['true'],
    );
    assert.ok(spec.ok);
    assert.deepEqual(spec.value.resources, {
      maxMemory: 512 * 1024 ** 2,
      maxCpu: 50,
      maxIoBps: 10 * 1024 ** 2,
      cpuCores: '0',
      maxProcesses: 64,
    });
    assert.equal(spec.value.timeoutMs, 90_000);
  });

  it('takes K=V pairs, or K alone from the environment, for plain and secret variables', () => {
    const spec = flags({ env: ['A=1', 'FROM_ENV'], 'secret-env': ['TOKEN=s3'] }, ['true']);
    assert.ok(spec.ok);
    assert.deepEqual(spec.value.env, { A: '1', FROM_ENV: 'env-value' });
    assert.deepEqual(spec.value.secretEnv, { TOKEN: 's3' });
  });

  it('refuses each bad value with a message naming the flag', () => {
    const cases: [Record<string, string | string[]>, RegExp][] = [
      [{ 'max-memory': '1K' }, /--max-memory '1K' is too small: at least 4M/],
      [{ 'max-memory': '2' }, /--max-memory '2' is too small/],
      [{ 'max-cpu': 'half' }, /--max-cpu 'half' is not a whole number/],
      [{ 'cpu-cores': '7-5' }, /runs backwards/],
      [{ 'max-processes': '-1' }, /--max-processes '-1' is not a whole number/],
      [{ timeout: '400d' }, /--timeout '400d' is longer than 365 days/],
      [{ timeout: '10 minutes' }, /--timeout '10 minutes' is not a duration/],
      [{ name: 'my job' }, /--name: invalid job name 'my job'/],
      [{ network: 'a/b' }, /--network: invalid network name 'a\/b'/],
      [{ env: ['NOT_SET_ANYWHERE'] }, /--env NOT_SET_ANYWHERE: no value given/],
      [
        { 'secret-env': ['1BAD=hunter2'] },
        /^--secret-env 1BAD=\.\.\.: invalid environment variable name '1BAD'$/,
      ],
    ];
    for (const [options, message] of cases) {
      const spec = flags(options, ['true']);
      assert.equal(spec.ok, false, JSON.stringify(options));
      if (!spec.ok) assert.match(spec.problem.message, message);
    }
  });

  it('reads limits as workflow files do: plain memory in megabytes, 0 for no limit, days', () => {
    const spec = flags(
      { 'max-memory': '512', 'max-processes': '0', 'max-cpu': '0', timeout: '2d' },
      ['true'],
    );
    assert.ok(spec.ok);
    assert.deepEqual(spec.value.resources, { maxMemory: 512 * 1024 * 1024 });
    assert.equal(spec.value.timeoutMs, 2 * 86_400_000);
  });

  it('needs a command', () => {
    const spec = flags({}, []);
    assert.equal(spec.ok, false);
  });
});
