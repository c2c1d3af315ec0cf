/**
 * rnx SIGKILLed at each observable point of a job's start leaves nothing on the host once the
 * next rnx command ran: no process, cgroup, mount, veth, lease, run or job-filesystem directory.
 * The job is the heaviest kind: a runtime (its writable layer is mounted on the host), a volume, a
 * memory limit, on the bridge network. Each point is a state the test sees on the host (a
 * directory, a mount, a cgroup, the sandbox process, the job's own marker), not a fixed delay; rnx is
 * killed as soon as it is reached. More points are held exactly, by a tool the test puts first on
 * rnx's PATH (or names in RNX_SANDBOX) that marks it was called and waits to be let go: the sandbox
 * program held before its exec, rnx-sandbox (spawned, its cgroups not made yet) and
 * (RNX_SANDBOX=bwrap) bwrap (spawned, not yet in the job's cgroups), both before their
 * parent-death signal: let go, they run on without rnx, rnx's own `ip` held before its exec (started in phase 1, so phase 2 waits for it:
 * rnx is killed once the job's PID 1 is in its cgroups, no veth yet; let go, the ip reads the
 * veth's request rnx left in its pipe, then its end), `nsenter` held after phase 2 (bwrap's job:
 * the veth made and configured, the go not given). Before the go, the command must never run, whatever is
 * killed when.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import {
  chmodSync,
  closeSync,
  constants,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { findTool, type HostTool } from '../../src/host-tools.js';
import { builtSandboxPath } from '../../src/isolation/sandbox/sandbox-program.js';
import { RNX_BIN, runCli, tempDir } from '../helpers/cli.js';
import { makeBusyboxRootfs } from '../helpers/fs-job.js';
import {
  cmdline,
  entries,
  hostVeths,
  jobCgroups,
  leftOnHost,
  mountsUnder,
  NOTHING_LEFT,
  processesOfState,
} from '../helpers/state-leftovers.js';
import { sleep } from './job-rig.js';

const state = tempDir('rnx-killed-');
after(() => state.cleanup());

/** The marks the job's command leaves, one a job whose command ran. */
const marks = (): string[] => entries(join(state.dir, 'volumes', 'marks'));

const points: [string, () => boolean][] = [
  ['its run directory exists', () => entries(join(state.dir, 'run')).length > 0],
  ['its runtime layer is mounted', () => mountsUnder(join(state.dir, 'fs')).length > 0],
  ['its cgroup exists', () => jobCgroups(state.dir).length > 0],
  ['the sandbox program runs', () => processesOfState(state.dir).length > 0],
  ['the command runs', () => marks().length > 0],
];

interface HeldTool {
  /** Put first on PATH. */
  readonly bin: string;
  readonly marked: string;
  readonly hold: string;
}

/**
 * A `tool` that marks it was called (an empty file `marked`) and waits for the test to let it go
 * (a line on the FIFO `hold`): before running the real one, or after it ran (its exit code kept).
 */
function heldTool(tool: HostTool | 'rnx-sandbox', when: 'before' | 'after'): HeldTool {
  const dir = join(state.dir, `held-${tool}`);
  mkdirSync(join(dir, 'bin'), { recursive: true });
  const marked = join(dir, 'marked');
  const hold = join(dir, 'hold');
  execFileSync('mkfifo', [hold]);
  const real = tool === 'rnx-sandbox' ? builtSandboxPath() : (findTool(tool) ?? tool);
  const body =
    when === 'before'
      ? `: > ${marked}\nread _ < ${hold}\nexec ${real} "$@"\n`
      : `${real} "$@"\nrc=$?\n: > ${marked}\nread _ < ${hold}\nexit $rc\n`;
  const script = join(dir, 'bin', tool);
  writeFileSync(script, `#!/bin/sh\n${body}`);
  chmodSync(script, 0o755);
  return { bin: join(dir, 'bin'), marked, hold };
}

/** Held tools let go: the FIFO kept open for writing, so that no later call waits either. */
const released = new Map<string, number>();

/**
 * Lets a held tool go for good: every call that waits now and every later one (rnx's host-side
 * `ip` and the job side's are two calls, and the second may come after the first was let go: a
 * FIFO written once and closed would leave it waiting for a writer for ever). The FIFO is opened
 * read-write (never blocks), given a line for each call to come, and kept open until the end.
 */
function letGo(tool: HeldTool): void {
  if (released.has(tool.hold)) return;
  const fd = openSync(tool.hold, constants.O_RDWR);
  writeSync(fd, '\n'.repeat(64));
  released.set(tool.hold, fd);
}
after(() => {
  for (const fd of released.values()) closeSync(fd);
});

async function until(reached: () => boolean, boundMs: number): Promise<boolean> {
  const began = Date.now();
  while (!reached() && Date.now() - began < boundMs) await sleep(2);
  return reached();
}

function startRnx(
  path = process.env['PATH'] ?? '',
  env: NodeJS.ProcessEnv = {},
): {
  child: ReturnType<typeof spawn>;
  done: Promise<unknown>;
} {
  const child = spawn(
    process.execPath,
    [
      RNX_BIN,
      'job',
      'run',
      '--runtime=tiny',
      '--network=bridge',
      '--volume=marks',
      '--max-memory=64M',
      '--',
      'sh',
      '-c',
      'touch /volumes/marks/$RNX_JOB_ID; sleep 300',
    ],
    { env: { ...process.env, ...env, PATH: path, RNX_STATE_DIR: state.dir }, stdio: 'ignore' },
  );
  return { child, done: new Promise((resolve) => child.on('close', resolve)) };
}

async function nothingLeftAfterNextRnx(): Promise<void> {
  const next = await runCli(['job', 'list'], { stateDir: state.dir });
  assert.equal(next.code, 0, next.stderr);
  assert.deepEqual(leftOnHost(state.dir), NOTHING_LEFT);
}

describe('rnx killed during a start', () => {
  before(async () => {
    const tiny = makeBusyboxRootfs(join(state.dir, 'tiny'), 'tiny');
    assert.equal((await runCli(['runtime', 'add', 'tiny', tiny], { stateDir: state.dir })).code, 0);
    assert.equal((await runCli(['volume', 'create', 'marks'], { stateDir: state.dir })).code, 0);
  });

  for (const [point, reached] of points) {
    it(`leaves nothing once the next rnx ran, killed when ${point}`, async () => {
      const { child, done } = startRnx();
      // Checked as often as the machine allows; rnx may already be past the point when it is seen.
      while (!reached() && child.exitCode === null) await sleep(1);
      child.kill('SIGKILL');
      await done;
      await nothingLeftAfterNextRnx();
    });
  }

  /** The job's PID 1 is in its cgroups (each of them lists it). */
  const joined = (): boolean => {
    const cgroups = jobCgroups(state.dir);
    return (
      cgroups.length > 0 &&
      cgroups.every((d) => readFileSync(join(d, 'cgroup.procs'), 'utf8').trim() !== '')
    );
  };
  // Each point: the tool held, what else must be reached (the tool held, rnx gets no further
  // than it), what the host shows then, and (optional) where what was let go comes to rest.
  const held: [
    string,
    HostTool | 'rnx-sandbox',
    'before' | 'after',
    () => boolean,
    () => void,
    (() => boolean)?,
  ][] = [
    [
      // rnx-sandbox makes the job's cgroups itself (sandbox/cgroups.c); let go, it makes them
      // and its PID 1 joins them, then waits for the go: the next rnx runs once it has.
      'spawned rnx-sandbox, before it made the cgroups',
      'rnx-sandbox',
      'before',
      () => true,
      () => assert.deepEqual(jobCgroups(state.dir), [], 'no cgroup made yet'),
      joined,
    ],
    [
      'spawned bwrap (RNX_SANDBOX=bwrap), before the cgroup join',
      'bwrap',
      'before',
      () => true,
      () => assert.ok(jobCgroups(state.dir).length > 0, 'its cgroup made, not joined'),
    ],
    [
      'the job in its cgroups, before the veth',
      'ip',
      'before',
      joined,
      () => assert.deepEqual(hostVeths(), [], 'no veth yet'),
    ],
    [
      // Only bwrap's jobs have a job side of phase 2 to hold (rnx-sandbox's PID 1 configures its
      // eth0 itself, after the go).
      'the veth wired (RNX_SANDBOX=bwrap), before the go',
      'nsenter',
      'after',
      () => true,
      () => assert.equal(hostVeths().length, 1, 'the veth made'),
    ],
  ];
  for (const [point, tool, when, reached, check, settled] of held) {
    it(`never runs the command and leaves nothing once the next rnx ran, killed with ${point}`, async () => {
      const held = heldTool(tool, when);
      const before = marks().length;
      // rnx-sandbox is not looked up on PATH: RNX_SANDBOX names the held one.
      const sandbox =
        tool === 'rnx-sandbox'
          ? { RNX_SANDBOX: join(held.bin, 'rnx-sandbox') }
          : tool === 'bwrap' || tool === 'nsenter'
            ? { RNX_SANDBOX: 'bwrap' }
            : {};
      const { child, done } = startRnx(`${held.bin}:${process.env['PATH'] ?? ''}`, sandbox);
      try {
        assert.ok(await until(() => existsSync(held.marked), 30_000), `${tool} never called`);
        assert.ok(await until(reached, 30_000), `${point}: never reached`);
        check();
        child.kill('SIGKILL');
        await done;
        // Let go: what rnx started runs on without it (a sandbox program let go now starts too
        // late for its parent-death signal) until it waits for the go that never comes.
        letGo(held);
        // The held tool went on: it exec'd (the sandbox program) or ended (ip, nsenter).
        const holding = (): boolean =>
          processesOfState(state.dir).some((pid) => cmdline(pid).includes(held.bin));
        assert.ok(await until(() => !holding(), 30_000), `${tool} still held`);
        if (settled !== undefined) assert.ok(await until(settled, 30_000), `${tool} never settled`);
        await nothingLeftAfterNextRnx();
        assert.equal(marks().length, before, 'the command never ran');
      } finally {
        child.kill('SIGKILL');
        letGo(held);
      }
    });
  }
});
