/**
 * Flag parsing faults, run as a user would: Object's own member names as flags, extra arguments
 * to commands that take none, flags that only mean something with --workflow. (Fuzzed command
 * lines: fuzz.test.ts.)
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { runCli, tempDir } from '../helpers/cli.js';

let state: { dir: string; cleanup: () => void };
before(() => (state = tempDir('rnx-flags-')));
after(() => state.cleanup());

const rnx = (args: string[]) => runCli(args, { stateDir: state.dir });

describe('flag parsing', () => {
  it('refuses --constructor, --__proto__ and --toString as unknown flags (exit 2)', async () => {
    for (const flag of ['--constructor=x', '--__proto__=x', '--toString', '--hasOwnProperty=1']) {
      const r = await rnx(['job', 'list', flag]);
      assert.equal(r.code, 2, `${flag}: ${r.stderr}`);
      assert.match(r.stderr, /^rnx: unknown flag '--[A-Za-z_]+'/);
    }
  });

  it('refuses extra arguments to commands that take none', async () => {
    for (const args of [
      ['job', 'list', 'extra'],
      ['workflow', 'list', 'extra'],
      ['system', 'prune', 'extra'],
      ['system', 'check', 'extra'],
      ['network', 'list', 'extra'],
      ['volume', 'list', 'extra'],
      ['runtime', 'list', 'extra'],
    ]) {
      const r = await rnx(args);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, /^rnx: unexpected argument 'extra': rnx .* takes no arguments/);
    }
  });

  it('--dry-run and --concurrency without --workflow are usage errors; nothing runs', async () => {
    const before = (await rnx(['job', 'list', '--json'])).stdout;
    for (const flag of ['--dry-run', '--concurrency=2']) {
      const r = await rnx(['job', 'run', flag, '--network=none', 'true']);
      assert.equal(r.code, 2, `${flag}: ${r.stderr}`);
      assert.match(r.stderr, /only apply with --workflow/);
    }
    assert.equal((await rnx(['job', 'list', '--json'])).stdout, before);
  });
});
