/**
 * The installed command `bin/rnx` (a `sh` launcher) finds its package and execs Node on bin/rnx.js
 * with its V8 flags. Run in temporary layouts with copies of the launcher and RNX_NODE=/bin/echo, so
 * that what it would exec is printed: npm's global and local links are resolved without readlink
 * (only when the linked file is the launcher itself), any other link with it.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { REPO_ROOT, tempDir } from '../helpers/cli.js';

let tmp: { dir: string; cleanup: () => void };
before(() => (tmp = tempDir('rnx-launcher-')));
after(() => tmp.cleanup());

/** A package folder with the launcher and an (empty) bin/rnx.js. */
function rnxPackage(dir: string): string {
  mkdirSync(join(dir, 'bin'), { recursive: true });
  copyFileSync(join(REPO_ROOT, 'bin', 'rnx'), join(dir, 'bin', 'rnx'));
  writeFileSync(join(dir, 'bin', 'rnx.js'), '');
  return dir;
}

function link(target: string, path: string): string {
  mkdirSync(dirname(path), { recursive: true });
  symlinkSync(target, path);
  return path;
}

/** What the launcher started as `command` would exec, with which arguments. */
function execs(command: string): string {
  return execFileSync(command, ['job', 'run', 'a b'], {
    env: { ...process.env, RNX_NODE: '/bin/echo' },
    encoding: 'utf8',
  }).trimEnd();
}

describe('the launcher bin/rnx', () => {
  it('started by its own path: the package it is in', () => {
    const pkg = rnxPackage(join(tmp.dir, 'direct'));
    assert.equal(
      execs(join(pkg, 'bin', 'rnx')),
      `--min-semi-space-size=8 ${pkg}/bin/../bin/rnx.js job run a b`,
    );
  });

  it("through npm's global link PREFIX/bin/rnx: the package in PREFIX/lib/node_modules", () => {
    const prefix = join(tmp.dir, 'global');
    rnxPackage(join(prefix, 'lib', 'node_modules', 'rnx'));
    const command = link('../lib/node_modules/rnx/bin/rnx', join(prefix, 'bin', 'rnx'));
    assert.equal(
      execs(command),
      `--min-semi-space-size=8 ${prefix}/bin/../lib/node_modules/rnx/bin/rnx.js job run a b`,
    );
  });

  it("through npm's local link node_modules/.bin/rnx: the package in node_modules/rnx", () => {
    const modules = join(tmp.dir, 'project', 'node_modules');
    rnxPackage(join(modules, 'rnx'));
    const command = link('../rnx/bin/rnx', join(modules, '.bin', 'rnx'));
    assert.equal(
      execs(command),
      `--min-semi-space-size=8 ${modules}/.bin/../rnx/bin/rnx.js job run a b`,
    );
  });

  it('through any other link: the package the link resolves to, not a package where npm would put one', () => {
    const prefix = join(tmp.dir, 'elsewhere');
    const real = rnxPackage(join(tmp.dir, 'opt', 'rnx'));
    // Another rnx where npm's global link would lead: the launcher must not take it.
    rnxPackage(join(prefix, 'lib', 'node_modules', 'rnx'));
    const command = link(join(real, 'bin', 'rnx'), join(prefix, 'bin', 'rnx'));
    assert.equal(execs(command), `--min-semi-space-size=8 ${real}/bin/rnx.js job run a b`);
  });
});
