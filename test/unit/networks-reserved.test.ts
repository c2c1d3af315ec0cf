import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { command as networkCreate } from '../../src/cli/commands/network/create.js';
import { NAME_PATTERNS, NAME_RULES } from '../../src/names.js';
import { validateNetworkInput } from '../../src/networks/manage.js';
import { REPO_ROOT } from '../helpers/cli.js';

describe('network create input', () => {
  it('refuses CIDRs no job network can use, with the reason', () => {
    const cases: [string, RegExp][] = [
      ['224.0.0.0/24', /is in 224\.0\.0\.0\/4, multicast/],
      ['240.0.0.0/24', /is in 240\.0\.0\.0\/4, reserved/],
      ['0.0.0.0/8', /is in 0\.0\.0\.0\/8, "this network"/],
      ['169.254.0.0/16', /is in 169\.254\.0\.0\/16, link-local/],
      ['127.0.0.0/8', /is in 127\.0\.0\.0\/8, loopback/],
      ['255.255.255.252/30', /is in 240\.0\.0\.0\/4, reserved/],
      ['0.0.0.0/0', /is in 0\.0\.0\.0\/8/],
      ['127.5.0.0/24', /loopback/],
    ];
    for (const [cidr, reason] of cases) {
      const r = validateNetworkInput({ name: 'n', cidr });
      assert.equal(r.ok, false, cidr);
      if (!r.ok) {
        assert.equal(r.problem.code, 'cidr-reserved', cidr);
        assert.match(r.problem.message, reason);
        assert.match(r.problem.hint ?? '', /private range/);
      }
    }
  });

  it('accepts private and other routable ranges next to the reserved ones', () => {
    for (const cidr of [
      '10.0.0.0/8',
      '172.16.0.0/12',
      '192.168.1.0/24',
      '100.64.0.0/24',
      '223.255.255.0/24',
      '1.0.0.0/24',
      '169.253.0.0/16',
    ]) {
      assert.equal(validateNetworkInput({ name: 'n', cidr }).ok, true, cidr);
    }
  });

  it('names: the schema, the rule text, --help and the README agree on the length', () => {
    let max = 0;
    while (NAME_PATTERNS.network.test('a'.repeat(max + 1))) max++;
    assert.equal(max, 32);
    assert.match(NAME_RULES.network, new RegExp(`at most ${String(max)} characters`));
    assert.match(networkCreate.details ?? '', new RegExp(`at most ${String(max)} characters`));
    const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
    const networks = readme.slice(
      readme.indexOf('<!-- section:networks -->'),
      readme.indexOf('<!-- /section:networks -->'),
    );
    assert.match(networks, new RegExp(`Names: 1-${String(max)} characters`));
    assert.match(networks, new RegExp(`${String(max + 1)}-character names are refused`));
    assert.equal(validateNetworkInput({ name: 'a'.repeat(max), cidr: '10.9.0.0/24' }).ok, true);
    assert.equal(
      validateNetworkInput({ name: 'a'.repeat(max + 1), cidr: '10.9.0.0/24' }).ok,
      false,
    );
  });
});
