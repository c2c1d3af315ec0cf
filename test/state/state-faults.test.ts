/**
 * Faults of the state directory, each made for real: a small tmpfs as the state directory, a
 * read-only bind mount, bytes overwritten in a copy of the database. Each ends in one or two lines
 * naming the file and what to do, exit 3, no trace; rnx never rewrites the file; commands that need
 * no state never open it; and no job, lease, cgroup or veth is left held.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  openSync,
  closeSync,
  readFileSync,
  readdirSync,
  statSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { after, afterEach, before, describe, it } from 'node:test';
import {
  REPO_ROOT,
  RNX_BIN,
  runCli,
  tempDir,
  waitForRunningJob,
  type CliRun,
} from '../helpers/cli.js';
import { leftovers } from '../helpers/leftovers.js';

let tmp: { dir: string; cleanup: () => void };
let state = '';
const mounted: string[] = [];

function mount(args: readonly string[], target: string): void {
  execFileSync('mount', [...args, target]);
  mounted.push(target);
}
function tmpfs(size: string): void {
  mount(['-t', 'tmpfs', '-o', `size=${size}`, 'rnx-test-state'], state);
}
function readOnly(path: string): void {
  mount(['--bind', path], path);
  execFileSync('mount', ['-o', 'remount,bind,ro', path]);
}
const rnx = (args: readonly string[]): Promise<CliRun> => runCli(args, { stateDir: state });
const hash = (file: string): string =>
  createHash('sha256').update(readFileSync(file)).digest('hex');

function assertNoTrace(r: CliRun): void {
  assert.doesNotMatch(r.stderr, /\n\s+at |Error:|node:internal/, r.stderr);
}

const STATELESS = [
  ['--version'],
  ['--help'],
  ['job', 'list', '--help'],
  ['workflow', 'validate', '--skip-environment', '--quiet', 'workflows/diamond.yaml'],
  ['workflow', 'graph', 'workflows/diamond.yaml'],
] as const;

/** The stateless commands: they succeed whatever the state directory is like, and never open it. */
async function assertStatelessWork(): Promise<void> {
  for (const args of STATELESS) {
    const r = await rnx(args);
    assert.equal(r.code, 0, `rnx ${args.join(' ')}: ${r.stderr}`);
  }
}

/** A database with one finished job in it, as a file to damage. */
async function databaseWithAJob(): Promise<string> {
  const r = await rnx(['job', 'run', '--network=none', '--name=recorded', 'true']);
  assert.equal(r.code, 0, r.stderr);
  const file = join(state, 'rnx.db');
  // rnx leaves its records in SQLite's log (rnx.db-wal) between commands: folded into the file
  // (and the log removed at its close), so that the bytes damaged are the job's.
  const db = new DatabaseSync(file);
  db.exec('PRAGMA wal_checkpoint(TRUNCATE)');
  db.close();
  assert.ok(!existsSync(`${file}-wal`));
  return file;
}

function overwrite(file: string, offset: number, bytes: Buffer): void {
  const fd = openSync(file, 'r+');
  try {
    writeSync(fd, bytes, 0, bytes.length, offset);
  } finally {
    closeSync(fd);
  }
}

describe('faults of the state directory', () => {
  let n = 0;
  before(() => (tmp = tempDir('rnx-state-faults-')));
  after(() => tmp.cleanup());
  afterEach(() => {
    for (const target of mounted.reverse()) execFileSync('umount', [target]);
    mounted.length = 0;
  });
  const fresh = (): void => {
    state = join(tmp.dir, `state-${String(++n)}`);
    mkdirSync(state);
  };

  it('commands that need no state do not create the state directory', async () => {
    state = join(tmp.dir, 'never-made');
    await assertStatelessWork();
    assert.ok(!existsSync(state), 'the state directory was created');
  });

  it('a job writing more than the state directory holds: its log stops, the job and its records finish', async () => {
    fresh();
    tmpfs('4m');
    const r = await rnx([
      'job',
      'run',
      '--name=big',
      'sh',
      '-c',
      'head -c 5000000 /dev/zero | tr "\\0" x; echo; echo done',
    ]);
    assertNoTrace(r);
    assert.equal(r.code, 0, r.stderr);
    assert.match(
      r.stderr,
      /^rnx: job \w+: its log stopped \(the state directory is full.*\); the job goes on/m,
    );
    assert.equal(r.stdout.length, 5_000_000 + '\ndone\n'.length, 'all output still shown');
    const status = await rnx(['job', 'status', 'big', '--json']);
    const job = JSON.parse(status.stdout) as { id: string; status: string; message: string | null };
    assert.equal(job.status, 'COMPLETED');
    assert.match(job.message ?? '', /its log stopped early/);
    const logs = join(state, 'logs');
    const logSize = readdirSync(logs).reduce((sum, f) => sum + statSync(join(logs, f)).size, 0);
    assert.ok(logSize > 1_000_000 && logSize < 4_000_000, `log of ${String(logSize)} bytes`);
    assert.deepEqual(leftovers(state, [job.id], []), []);
  });

  it('64 KiB: SQLITE_FULL is reported as a full state directory, and no half-made database stays', async () => {
    fresh();
    tmpfs('64k');
    const r = await rnx(['network', 'list']);
    assertNoTrace(r);
    assert.equal(r.code, 3);
    assert.match(
      r.stderr,
      new RegExp(`^rnx: the state directory ${state} is full\n  hint: free space`),
    );
    assert.doesNotMatch(r.stderr, /rollback/);
    assert.deepEqual(readdirSync(state), []);
    await assertStatelessWork();
    execFileSync('mount', ['-o', 'remount,size=4m', state]);
    const later = await rnx(['network', 'list']);
    assert.equal(later.code, 0, later.stderr);
  });

  for (const how of ['job', 'workflow'] as const) {
    it(`the state directory filling up while a ${how} runs: everything released, the records finished later`, async () => {
      fresh();
      tmpfs('4m');
      const file = join(tmp.dir, `filled-${String(n)}.yaml`);
      writeFileSync(
        file,
        'jobs:\n  filled: { command: sleep, args: ["300"] }\n  next: { command: "true", requires: [filled: FINISHED] }\n',
      );
      const args =
        how === 'job'
          ? ['job', 'run', '--name=filled', 'sleep', '300']
          : ['job', 'run', `--workflow=${file}`];
      let stderr = '';
      const child = spawn(process.execPath, [RNX_BIN, ...args], {
        cwd: REPO_ROOT,
        env: { ...process.env, RNX_STATE_DIR: state, NO_COLOR: '1' },
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
      const done = new Promise<number | null>((resolve) => child.on('close', resolve));
      const job = await waitForRunningJob(rnx, 'filled');
      // Fill the file system, then end the job: rnx cannot record its end.
      const filler = join(state, 'filler');
      assert.throws(() =>
        execFileSync('sh', ['-c', `cat /dev/zero > ${filler}`], { stdio: 'ignore' }),
      );
      process.kill(job.pid, 'SIGKILL');
      const code = await done;
      assert.doesNotMatch(stderr, /\n\s+at |node:internal/, stderr);
      assert.equal(code, 3, stderr);
      assert.match(stderr, /^rnx: the state directory .* is full\n {2}hint: /m);
      // Nothing of the job is held by the kernel; only its records wait for room.
      const held = leftovers(state, [job.id], [job.pid]);
      assert.deepEqual(
        held.filter((h) => !h.startsWith('lease')),
        [],
      );
      execFileSync('rm', [filler]);
      const list = await rnx(['job', 'list', '--json']);
      assert.equal(list.code, 0, list.stderr);
      const jobs = JSON.parse(list.stdout) as { status: string }[];
      assert.ok(jobs.length > 0 && jobs.every((j) => j.status !== 'RUNNING'), list.stdout);
      const runs = await rnx(['workflow', 'list', '--json']);
      assert.doesNotMatch(runs.stdout, /RUNNING/);
      assert.deepEqual(leftovers(state, [job.id], [job.pid]), []);
    });
  }

  it('a read-only state directory: named, exit 3', async () => {
    fresh();
    await databaseWithAJob();
    readOnly(state);
    for (const args of [
      ['job', 'list'],
      ['network', 'create', 'ro', '--cidr=10.77.0.0/24'],
    ]) {
      const r = await rnx(args);
      assertNoTrace(r);
      assert.equal(r.code, 3, r.stderr);
      assert.match(
        r.stderr,
        new RegExp(`^rnx: the state directory ${state} is read-only\n  hint: `),
      );
    }
    await assertStatelessWork();
  });

  it('a read-only database: it is still read; a change names the file, exit 3', async () => {
    fresh();
    const db = await databaseWithAJob();
    readOnly(db);
    const list = await rnx(['job', 'list']);
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.stdout, /recorded/);
    const r = await rnx(['network', 'create', 'ro', '--cidr=10.77.0.0/24']);
    assertNoTrace(r);
    assert.equal(r.code, 3, r.stderr);
    assert.match(r.stderr, new RegExp(`^rnx: the state database ${db} is read-only\n  hint: `));
  });

  it('a damaged database header: named, exit 3, the file left as it was', async () => {
    fresh();
    const db = await databaseWithAJob();
    overwrite(db, 0, Buffer.from('not a database!!'));
    const before = hash(db);
    for (const args of [
      ['job', 'list'],
      ['network', 'list'],
      ['job', 'run', '--network=none', 'true'],
    ]) {
      const r = await rnx(args);
      assertNoTrace(r);
      assert.equal(r.code, 3, r.stderr);
      assert.match(
        r.stderr,
        new RegExp(
          `^rnx: the state database ${db} is damaged \\(file is not a database\\)\n  hint: rnx leaves it as it is: move it`,
        ),
      );
    }
    await assertStatelessWork();
    assert.equal(hash(db), before);
    assert.ok(!existsSync(`${db}.damaged`));
  });

  it("a damaged table's root page: named, exit 3, the file left as it was", async () => {
    fresh();
    const db = await databaseWithAJob();
    const read = new DatabaseSync(db, { readOnly: true });
    const { rootpage } = read
      .prepare("SELECT rootpage FROM sqlite_schema WHERE name = 'jobs'")
      .get() as {
      rootpage: number;
    };
    const pageSize = (read.prepare('PRAGMA page_size').get() as { page_size: number }).page_size;
    read.close();
    overwrite(db, (rootpage - 1) * pageSize, Buffer.alloc(pageSize, 0xa5));
    const before = hash(db);
    const r = await rnx(['job', 'list']);
    assertNoTrace(r);
    assert.equal(r.code, 3, r.stderr);
    assert.match(
      r.stderr,
      new RegExp(
        `^rnx: the state database ${db} is damaged \\(database disk image is malformed\\)\n`,
      ),
    );
    await assertStatelessWork();
    assert.equal(hash(db), before);
  });
});
