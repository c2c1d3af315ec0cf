/**
 * Fuzzed command lines (seeded, bounded to a few seconds): no stack trace, no signal, and no exit
 * code outside the documented ones (for `job run COMMAND` also the job's own end: 124 timed out,
 * 126 or 127 not runnable), nor 70, rnx's code for an exception it did not expect. They include commands that change things: `job run` of real commands
 * without --workflow, `network create` and `system prune`. Those run in a network namespace of
 * their own (a sleeper's, inside the harness's throwaway one) and a state directory of their own,
 * so the bridges and rules they make vanish with it; a second state directory beside theirs (a
 * job that ended, with its log) and a file outside both show that prune touched nothing else.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DOCUMENTED_EXIT_CODES, EXIT } from '../../src/cli/exit-codes.js';
import { leftovers } from '../helpers/leftovers.js';
import { noStackTrace, runCli, tempDir } from '../helpers/cli.js';
import { startSleeper, type Sleeper } from '../networks/netns.js';

/** Documented codes, but for 70: an exception rnx did not expect is a bug the fuzzer found. */
const ALLOWED = new Set([...DOCUMENTED_EXIT_CODES].filter((code) => code !== EXIT.internal));

/** What a job's own end adds for `rnx job run COMMAND`: timed out, not executable, not found. */
const JOB_ENDS = new Set([124, 126, 127]);

const GENERAL = [
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

type Pick = (n: number) => number;
const one = (pick: Pick, list: readonly string[]): string => list[pick(list.length)] ?? '';
const some = (pick: Pick, list: readonly string[], most: number): string[] =>
  Array.from({ length: pick(most + 1) }, () => one(pick, list));

/**
 * The lines: a few words of a grammar per command (flags, then a command and its arguments; a name
 * and a CIDR), so that most lines get past parsing to what the command does; then, one time in
 * three, a general word somewhere in it.
 */
const LINES: readonly ((pick: Pick) => string[])[] = [
  (pick) => [
    'job',
    'run',
    ...some(
      pick,
      [
        '--network=none',
        '--network=fuzz',
        '--network=isolated',
        '--timeout=1ms',
        '--timeout=25d',
        '--max-cpu=50',
        '--max-memory=8M',
        '--max-processes=2',
        '--name=fuzz-job',
        '--env=A=1',
        '--secret-env=S=2',
        '--volume=nope',
        '--runtime=nope',
        '--upload=/etc/hostname',
        '--concurrency=2',
      ],
      2,
    ),
    ...(pick(3) === 0 ? ['--'] : []),
    one(pick, ['true', 'false', 'echo', 'sleep', 'sh', 'nope-command']),
    ...some(pick, ['0.1', '-c', 'exit 3', 'hello', '%'], 2),
  ],
  (pick) => [
    'network',
    'create',
    ...(pick(8) === 0
      ? []
      : [one(pick, ['fuzz', 'fuzz2', 'bridge', 'n'.repeat(40), 'n'.repeat(41), '-x'])]),
    ...(pick(8) === 0
      ? []
      : [
          one(pick, [
            '--cidr=10.99.0.0/24',
            '--cidr=10.99.0.0/16',
            '--cidr=10.99.1.0/30',
            '--cidr=10.99.2.0/31',
            '--cidr=255.255.255.252/30',
            '--cidr=127.0.0.0/8',
            '--cidr=10.99.3.1/24',
            '--cidr=%',
          ]),
        ]),
    ...(pick(4) === 0 ? ['--internal'] : []),
  ],
  (pick) => [
    'system',
    'prune',
    ...some(
      pick,
      [
        '--older-than=1ms',
        '--older-than=0s',
        '--older-than=7d',
        '--older-than=99999d',
        '--older-than=-1',
      ],
      1,
    ),
  ],
  (pick) => some(pick, GENERAL, 4).concat(one(pick, GENERAL)),
];

let tmp: { dir: string; cleanup: () => void };
let sleeper: Sleeper;
let fuzzState: string;
let otherState: string;
let prefix: string[];

before(async () => {
  tmp = tempDir('rnx-fuzz-');
  fuzzState = join(tmp.dir, 'state');
  otherState = join(tmp.dir, 'other-state');
  mkdirSync(fuzzState);
  mkdirSync(otherState);
  writeFileSync(join(tmp.dir, 'outside.txt'), 'not rnx state\n');
  sleeper = await startSleeper();
  prefix = ['nsenter', `--net=/proc/${String(sleeper.pid)}/ns/net`, '--'];
});
after(async () => {
  await sleeper.kill();
  tmp.cleanup();
});

const rnx = (args: readonly string[], stateDir = fuzzState) =>
  runCli(args, { stateDir, prefix, timeoutMs: 30_000 });

describe('fuzzed command lines', () => {
  it('never print a stack trace or exit with an undocumented code, job run, network create and system prune included (seeded, a few seconds)', async () => {
    // An ended job in each state directory: prune has records to remove, and one it must not (a
    // job that prints, so that it has a log).
    for (const dir of [fuzzState, otherState]) {
      const r = await rnx(['job', 'run', '--network=none', 'echo', 'logged'], dir);
      assert.equal(r.code, 0, r.stderr);
    }
    const [other] = JSON.parse((await rnx(['job', 'list', '--json'], otherState)).stdout) as {
      id: string;
      log: string;
    }[];
    assert.ok(other !== undefined && existsSync(other.log));

    // mulberry32: every bit of it is random (an LCG's low bits, taken modulo small n, repeat).
    let seed = 20261130;
    const random = (n: number): number => {
      seed = (seed + 0x6d2b79f5) >>> 0;
      let t = Math.imul(seed ^ (seed >>> 15), seed | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * n);
    };
    const ran = LINES.map(() => 0);
    const deadline = Date.now() + 5000;
    for (let i = 0; Date.now() < deadline || ran.some((n) => n < 4); i++) {
      const which = i % LINES.length;
      const args = LINES[which]?.(random) ?? [];
      if (which < 3 && random(3) === 0)
        args.splice(2 + random(args.length - 1), 0, one(random, GENERAL));
      const line = args.join(' ').slice(0, 200);
      const r = await rnx(args);
      ran[which] = (ran[which] ?? 0) + 1;
      noStackTrace(r.stderr + r.stdout);
      assert.equal(r.signal, null, line);
      const code = r.code ?? -1;
      const jobRun = args[0] === 'job' && args[1] === 'run';
      assert.ok(
        ALLOWED.has(code) || (jobRun && JOB_ENDS.has(code)),
        `${line} exited ${String(code)}: ${r.stderr.slice(0, 300)}`,
      );
    }

    // Nothing outside the fuzzed state directory was touched.
    assert.ok(existsSync(join(tmp.dir, 'outside.txt')));
    assert.ok(existsSync(other.log), 'the other state directory lost a log');
    const kept = JSON.parse((await rnx(['job', 'list', '--json'], otherState)).stdout) as {
      id: string;
    }[];
    assert.deepEqual(
      kept.map((j) => j.id),
      [other.id],
    );
    // Every job the fuzzer started has ended and left nothing behind.
    const jobs = JSON.parse((await rnx(['job', 'list', '--json', '--limit=0'])).stdout) as {
      id: string;
      status: string;
    }[];
    assert.deepEqual(
      jobs.filter((j) => j.status === 'RUNNING' || j.status === 'PENDING'),
      [],
    );
    assert.deepEqual(
      leftovers(
        fuzzState,
        jobs.map((j) => j.id),
        [],
      ),
      [],
    );
  });
});
