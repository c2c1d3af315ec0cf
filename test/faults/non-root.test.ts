/**
 * rnx run as a user other than root (`setpriv --reuid=65534`): commands that cannot work say so in
 * one line and exit 3 before they read or make anything; those that can (validate, graph, help,
 * version, the listings on a state directory of the user's own) keep working; a state directory
 * that is root's is named as such, not as "read-only".
 */
import assert from 'node:assert/strict';
import { chmodSync, chownSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { noStackTrace, tempDir, type CliRun } from '../helpers/cli.js';
import { NOBODY, rnxAsNobody } from '../helpers/as-nobody.js';

let tmp: { dir: string; cleanup: () => void };

/** `rnx ARGS` as uid and gid 65534 with no supplementary groups (and so no capabilities). */
function asNobody(args: readonly string[], state: string): Promise<CliRun> {
  return rnxAsNobody(args, { RNX_STATE_DIR: state });
}

const NEEDS_ROOT = [
  ['job', 'run', '--network=none', 'true'],
  ['job', 'run', '-d', 'sleep', '5'],
  ['job', 'run', '--workflow=workflows/diamond.yaml'],
  ['job', 'stop', 'web'],
  ['network', 'create', 'app', '--cidr=10.232.0.0/24'],
  ['network', 'remove', 'app'],
  ['system', 'prune'],
  ['workflow', 'stop', 'wr-00000000'],
  ['workflow', 'rerun', 'wr-00000000'],
];

describe('run as a user other than root', () => {
  before(() => {
    tmp = tempDir('rnx-nobody-');
    // The user must reach its own state directory below this one.
    chmodSync(tmp.dir, 0o755);
  });
  after(() => tmp.cleanup());

  it('commands that need root say so in one line, exit 3, and touch nothing', async () => {
    const state = join(tmp.dir, 'never-made');
    for (const args of NEEDS_ROOT) {
      const r = await asNobody(args, state);
      assert.equal(r.code, 3, `rnx ${args.join(' ')}: ${r.stderr}`);
      noStackTrace(r.stderr);
      assert.match(
        r.stderr,
        new RegExp(
          `^rnx: ${args.slice(0, 2).join(' ')} needs root: .* \\(running as uid 65534\\)\\n  hint: run it as root: sudo rnx ${args.slice(0, 2).join(' ')} ...\\n$`,
        ),
      );
      assert.equal(r.stdout, '');
    }
    assert.ok(!existsSync(state), 'a command made the state directory');
  });

  it("root's state directory: named as root's, exit 3, for the commands that read it", async () => {
    const state = join(tmp.dir, 'roots');
    mkdirSync(state, { mode: 0o700 });
    // Validation reads the state only for a name that is not built in: a network here.
    const networked = join(tmp.dir, 'networked.yaml');
    writeFileSync(networked, 'jobs:\n  a: { command: x, network: app }\n');
    for (const args of [
      ['job', 'list'],
      ['network', 'list'],
      ['workflow', 'validate', networked],
    ]) {
      const r = await asNobody(args, state);
      assert.equal(r.code, 3, r.stderr);
      noStackTrace(r.stderr);
      assert.match(
        r.stderr,
        new RegExp(
          `^rnx: the state directory ${state} is not this user's \\(it belongs to uid 0; rnx runs as uid 65534\\)\\n  hint: run rnx as root`,
        ),
      );
    }
    // A file naming only built-ins needs no state: validated all the same.
    const builtins = await asNobody(['workflow', 'validate', 'workflows/diamond.yaml'], state);
    assert.equal(builtins.code, 0, builtins.stderr);
  });

  it('what can work keeps working: help, version, validate, graph, dry run, listings of its own state', async () => {
    const own = join(tmp.dir, 'own');
    mkdirSync(own);
    chownSync(own, NOBODY, NOBODY);
    const works = [
      ['--version'],
      ['--help'],
      ['job', 'run', '--help'],
      ['workflow', 'validate', '--skip-environment', 'workflows/diamond.yaml'],
      ['workflow', 'graph', 'workflows/diamond.yaml'],
      ['workflow', 'validate', 'workflows/diamond.yaml'],
      ['job', 'run', '--workflow=workflows/diamond.yaml', '--dry-run'],
      ['job', 'list'],
      ['network', 'list'],
      ['workflow', 'list'],
      ['volume', 'list'],
    ];
    for (const args of works) {
      const r = await asNobody(args, own);
      assert.equal(r.code, 0, `rnx ${args.join(' ')}: ${r.stderr}`);
    }
  });

  it('system check: privileges MISSING, exit 3', async () => {
    const r = await asNobody(['system', 'check'], join(tmp.dir, 'check'));
    assert.equal(r.code, 3, r.stderr);
    assert.match(
      r.stdout,
      /^MISSING +privileges +missing CAP_SYS_ADMIN, CAP_NET_ADMIN, CAP_KILL$/m,
    );
  });
});
