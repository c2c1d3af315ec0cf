/**
 * Host tools looked up one way: rnx run with a PATH that lacks one tool (a directory of symlinks
 * to all the others). `rnx system check` and the commands and jobs that need the tool say so the
 * same way, exit 3, naming the tool and its Debian package, before anything is made; what does
 * not need it keeps working.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { findTool, HOST_TOOLS, TOOL_NAMES, type HostTool } from '../../src/host-tools.js';
import { noStackTrace, runCli, tempDir, type CliRun } from '../helpers/cli.js';

let tmp: { dir: string; cleanup: () => void };
let n = 0;

/** A PATH of one directory holding every tool rnx runs but `lacking`. */
function pathWithout(lacking: HostTool): string {
  const dir = join(tmp.dir, `bin-without-${lacking}`);
  if (existsSync(dir)) return dir;
  mkdirSync(dir);
  for (const tool of TOOL_NAMES) {
    if (tool === lacking) continue;
    const real = findTool(tool);
    assert.ok(real !== undefined, `${tool} is on the test's PATH`);
    symlinkSync(real, join(dir, tool));
  }
  return dir;
}

function rnxWithout(
  lacking: HostTool,
  args: readonly string[],
  state?: string,
  env: NodeJS.ProcessEnv = {},
): Promise<CliRun> {
  return runCli(args, {
    stateDir: state ?? join(tmp.dir, `state-${String(++n)}`),
    env: { ...env, PATH: pathWithout(lacking) },
  });
}

function assertMissing(r: CliRun, tool: HostTool): void {
  assert.equal(r.code, 3, r.stderr);
  noStackTrace(r.stderr);
  const pkg = HOST_TOOLS[tool].package;
  assert.match(
    r.stderr,
    new RegExp(`^rnx: .*'${tool}' \\(Debian package ${pkg}\\) is not on PATH`),
  );
  assert.match(r.stderr, new RegExp(`hint: install with: apt-get install ${pkg}`));
  assert.equal(r.stderr.trimEnd().split('\n').length, 2, r.stderr);
}

async function noJobsRecorded(state: string): Promise<void> {
  const list = await runCli(['job', 'list', '--json'], { stateDir: state });
  assert.equal(list.code, 0, list.stderr);
  assert.deepEqual(JSON.parse(list.stdout), []);
}

describe('host tools, looked up on PATH the same way everywhere', () => {
  before(() => (tmp = tempDir('rnx-tools-')));
  after(() => tmp.cleanup());

  it('system check: exit 3, the missing tool with its package and who needs it', async () => {
    const r = await rnxWithout('nft', ['system', 'check']);
    assert.equal(r.code, 3, r.stdout);
    assert.match(
      r.stdout,
      /^missing +nft +not on PATH: network create\/remove and jobs on a network other than none/m,
    );
    assert.match(r.stdout, /fix: apt-get install nftables$/m);
    assert.match(r.stdout, /^ok +ip +\/.*\/ip$/m);
    const json = await rnxWithout('bwrap', ['system', 'check', '--json']);
    const items = JSON.parse(json.stdout) as { name: string; ok: boolean; hint?: string }[];
    assert.deepEqual(
      items.filter((i) => !i.ok).map((i) => [i.name, i.hint]),
      [['bwrap', 'apt-get install bubblewrap']],
    );
  });

  it('a job on a network without nft: exit 3 before anything is made; on none it runs', async () => {
    const state = join(tmp.dir, 'state-job');
    const r = await rnxWithout('nft', ['job', 'run', '--network=bridge', 'true'], state);
    assertMissing(r, 'nft');
    await noJobsRecorded(state);
    const none = await rnxWithout('nft', ['job', 'run', '--network=none', 'echo', 'ran'], state);
    assert.equal(none.code, 0, none.stderr);
    assert.equal(none.stdout, 'ran\n');
  });

  it('every job without bwrap when bwrap sets jobs up, a background job without sh, a probe without nsenter', async () => {
    const state = join(tmp.dir, 'state-jobs');
    const withBwrap = { RNX_SANDBOX: 'bwrap' };
    assertMissing(
      await rnxWithout('bwrap', ['job', 'run', '--network=none', 'true'], state, withBwrap),
      'bwrap',
    );
    assertMissing(
      await rnxWithout('sh', ['job', 'run', '-d', '--network=none', 'true'], state),
      'sh',
    );
    const probe = ['job', 'run', '--network=none', '--ready=exec:true', 'true'];
    assertMissing(await rnxWithout('nsenter', probe, state), 'nsenter');
    await noJobsRecorded(state);
  });

  it('runs jobs without bwrap when rnx-sandbox sets them up; system check says which does', async () => {
    const r = await rnxWithout('bwrap', ['job', 'run', '--network=none', 'echo', 'ran']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'ran\n');
    // Still exit 3 (something is missing), but bwrap is not needed for jobs: lower case.
    const check = await rnxWithout('bwrap', ['system', 'check']);
    assert.equal(check.code, 3, check.stdout);
    assert.match(check.stdout, /^ok +sandbox +rnx-sandbox \/.*\/rnx-sandbox$/m);
    assert.match(check.stdout, /^missing +bwrap +not on PATH: every job when bwrap sets jobs up/m);
    const fallback = await rnxWithout('bwrap', ['system', 'check'], undefined, {
      RNX_SANDBOX: 'bwrap',
    });
    assert.equal(fallback.code, 3, fallback.stdout);
    assert.match(fallback.stdout, /^ok +sandbox +bwrap \+ setpriv \(RNX_SANDBOX=bwrap\)$/m);
    assert.match(fallback.stdout, /^MISSING +bwrap /m);
  });

  it('a workflow with a job on a network, without ip: exit 3, no run recorded', async () => {
    const state = join(tmp.dir, 'state-workflow');
    const file = join(tmp.dir, 'wf.yaml');
    writeFileSync(
      file,
      'jobs:\n  a:\n    command: "true"\n    network: none\n  b:\n    command: "true"\n    requires: [{a: COMPLETED}]\n',
    );
    const r = await rnxWithout('ip', ['job', 'run', `--workflow=${file}`], state);
    assert.equal(r.code, 3, r.stderr);
    assert.match(r.stderr, /^rnx: 'ip' \(Debian package iproute2\) is not on PATH/m);
    noStackTrace(r.stderr);
    const runs = await runCli(['workflow', 'list', '--json'], { stateDir: state });
    assert.deepEqual(JSON.parse(runs.stdout), []);
  });

  it('network create without ip: exit 3, no network recorded', async () => {
    const state = join(tmp.dir, 'state-net');
    const r = await rnxWithout(
      'ip',
      ['network', 'create', 'lacking', '--cidr=10.231.0.0/24'],
      state,
    );
    assertMissing(r, 'ip');
    const list = await runCli(['network', 'list'], { stateDir: state });
    assert.doesNotMatch(list.stdout, /lacking/);
  });
});
