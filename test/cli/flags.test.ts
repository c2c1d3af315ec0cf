/**
 * Flag parsing faults, run as a user would: Object's own member names as flags, extra arguments
 * to commands that take none, flags that only mean something with --workflow; and a seeded fuzz
 * run of command lines asserting no stack trace and only documented exit codes.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DOCUMENTED_EXIT_CODES } from '../../src/cli/exit-codes.js';
import { noStackTrace, runCli, tempDir } from '../helpers/cli.js';

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

describe('fuzzed command lines', () => {
  it('never print a stack trace or exit with an undocumented code (seeded, a few seconds)', async () => {
    let seed = 20261130;
    const random = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const words = [
      'job',
      'run',
      'list',
      'status',
      'log',
      'stop',
      'workflow',
      'validate',
      'graph',
      'network',
      'create',
      'inspect',
      'remove',
      'volume',
      'runtime',
      'system',
      'check',
      '--json',
      '--help',
      '--workflow',
      '--workflow=workflows/diamond.yaml',
      '--dry-run',
      '--timeout=999999d',
      '--max-memory=-1',
      '--cidr=224.0.0.0/24',
      '--format=dot',
      '%',
      '__proto__',
      '--constructor',
      'x'.repeat(5000),
      '\u001b[2J',
      '',
      '-',
      '--',
      '--quiet',
      'workflows/diamond.yaml:nope',
    ];
    const deadline = Date.now() + 5000;
    let runs = 0;
    while (Date.now() < deadline || runs < 5) {
      const args = Array.from({ length: 1 + random(5) }, () => words[random(words.length)] ?? '');
      // Never start a real job or touch networks from the fuzzer: those have their own tests.
      if (args.includes('run') && !args.some((a) => a.startsWith('--workflow')))
        args.push('--dry-run');
      if (args[0] === 'network' && args[1] === 'create') continue;
      if (args[0] === 'system' && args[1] === 'prune') continue;
      const r = await rnx(args);
      runs++;
      noStackTrace(r.stderr + r.stdout);
      assert.equal(r.signal, null, args.join(' '));
      assert.ok(
        DOCUMENTED_EXIT_CODES.has(r.code ?? -1),
        `${args.join(' ')} exited ${String(r.code)}`,
      );
    }
  });
});
