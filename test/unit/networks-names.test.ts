import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import schema from '../../schemas/workflow.schema.json' with { type: 'json' };
import { NAME_RULES } from '../../src/names.js';
import { REPO_ROOT } from '../helpers/cli.js';
import {
  bridgeName,
  MAX_INTERFACE_NAME,
  validateName,
  vethName,
} from '../../src/networks/names.js';

describe('network names', () => {
  it('accepts the guide names', () => {
    for (const name of ['development', 'prod-frontend', 'tenant-a', 'a', '3tier']) {
      assert.ok(validateName(name).ok, name);
    }
  });

  it('refuses spaces, separators, shell characters, upper case and overlong names', () => {
    for (const name of [
      '',
      'a b',
      'a;b',
      'a/b',
      '-a',
      'A',
      'a_b',
      '$(x)',
      'a'.repeat(41),
      'x'.repeat(200),
    ]) {
      const r = validateName(name);
      assert.ok(!r.ok, name);
      assert.equal(r.problem.code, 'network-name-invalid');
      assert.ok(!r.problem.message.includes('\n'));
    }
  });

  it('allows 32 characters and refuses 33, as the README, the schema and --help say', () => {
    assert.ok(validateName('a'.repeat(32)).ok);
    assert.ok(!validateName('a'.repeat(33)).ok);
    const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
    assert.match(readme, /^- Names: 1-32 characters, lower-case letters/m);
    assert.doesNotMatch(readme, /1-40 characters/);
    assert.match(NAME_RULES.network, /at most 32 characters/);
    assert.match(schema.$defs.networkName.description, /at most 32 characters/);
  });

  it('shortens a 200-character name in the error message', () => {
    const r = validateName('x'.repeat(200));
    assert.ok(!r.ok);
    assert.match(r.problem.message, /\(200 characters\)/);
    assert.ok(r.problem.message.length < 120);
  });
});

describe('interface names', () => {
  it('uses rnx-NAME when it fits in 15 characters', () => {
    assert.equal(bridgeName('dev'), 'rnx-dev');
    assert.equal(bridgeName('abcdefghijk'), 'rnx-abcdefghijk');
  });

  it('derives a hashed, deterministic name for longer names, never longer than 15', () => {
    assert.equal(bridgeName('development'), 'rnx-development');
    const a = bridgeName('development-eu');
    assert.equal(a, bridgeName('development-eu'));
    assert.match(a, /^rnx-deve_[0-9a-f]{6}$/);
    assert.ok(a.length <= MAX_INTERFACE_NAME);
    assert.notEqual(bridgeName('development-1'), bridgeName('development-2'));
  });

  it('never gives the hashed form of one name to the short form of another', () => {
    const long = bridgeName('abcdefghijkl');
    // A short name cannot contain '_', so no rnx-NAME equals a hashed name.
    assert.ok(long.includes('_'));
    assert.ok(!validateName(long.slice(4)).ok);
  });

  it('gives every job a distinct rnxv veth name of at most 15 characters', () => {
    const names = new Set<string>();
    for (let i = 0; i < 10_000; i++) {
      const name = vethName(`job-${String(i)}`);
      assert.ok(name.length <= MAX_INTERFACE_NAME && name.startsWith('rnxv'));
      names.add(name);
    }
    assert.equal(names.size, 10_000);
    assert.equal(vethName('abc'), vethName('abc'));
  });
});
