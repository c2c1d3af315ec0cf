import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  formatCidr,
  gatewayOf,
  intToIp,
  ipToInt,
  leasableRange,
  mustParseCidr,
  overlaps,
  parseCidr,
  rangeOf,
  sizeOf,
} from '../../src/networks/cidr.js';

describe('CIDR parsing', () => {
  it('accepts a network address and keeps its prefix', () => {
    const r = parseCidr('10.10.0.0/24');
    assert.ok(r.ok);
    assert.equal(formatCidr(r.value), '10.10.0.0/24');
    assert.equal(r.value.prefix, 24);
  });

  it('refuses a host address and suggests the network address', () => {
    const r = parseCidr('10.10.0.5/24');
    assert.ok(!r.ok);
    assert.equal(r.problem.message, 'CIDR 10.10.0.5/24 is not a network address');
    assert.equal(r.problem.hint, 'did you mean 10.10.0.0/24?');
  });

  it('refuses prefixes longer than /30', () => {
    for (const text of ['10.0.0.0/31', '10.0.0.0/32']) {
      const r = parseCidr(text);
      assert.ok(!r.ok);
      assert.equal(r.problem.code, 'cidr-too-small');
    }
    assert.ok(parseCidr('10.0.0.0/30').ok);
  });

  it('refuses text that is not an IPv4 CIDR', () => {
    for (const text of [
      '',
      '10.0.0.0',
      '10.0.0/24',
      '10.0.0.0/33',
      '256.0.0.0/8',
      'fd00::/64',
      '10.0.0.0/24;rm',
      ' 10.0.0.0/24',
      '010.0.0.0/8',
      '10.0.0.0/-1',
    ]) {
      const r = parseCidr(text);
      assert.ok(!r.ok, text);
      assert.equal(r.problem.code, 'cidr-invalid', text);
    }
  });

  it('handles the whole address space at both ends', () => {
    const all = mustParseCidr('0.0.0.0/0');
    assert.equal(sizeOf(all), 2 ** 32);
    assert.equal(intToIp(ipToInt('255.255.255.255') ?? 0), '255.255.255.255');
    assert.equal(ipToInt('255.255.255.255'), 0xffffffff);
  });
});

describe('ranges named by routes', () => {
  it('reads single addresses as /32 and keeps any prefix, host bits ignored', () => {
    assert.deepEqual(rangeOf('100.64.1.1'), { base: ipToInt('100.64.1.1'), prefix: 32 });
    assert.deepEqual(rangeOf('100.64.1.0/31'), { base: ipToInt('100.64.1.0'), prefix: 31 });
    assert.deepEqual(rangeOf('10.1.2.3/8'), { base: ipToInt('10.0.0.0'), prefix: 8 });
    for (const bad of ['default', 'fe80::/64', '10.0.0.0/33', '10.0.0.0/x']) {
      assert.equal(rangeOf(bad), undefined, bad);
    }
  });
});

describe('CIDR arithmetic', () => {
  it('puts the gateway first and keeps network and broadcast out of the leasable range', () => {
    const c = mustParseCidr('192.168.1.0/24');
    assert.equal(intToIp(gatewayOf(c)), '192.168.1.1');
    const { first, last } = leasableRange(c);
    assert.equal(intToIp(first), '192.168.1.2');
    assert.equal(intToIp(last), '192.168.1.254');
  });

  it('leaves exactly one job address in a /30', () => {
    const { first, last } = leasableRange(mustParseCidr('10.9.0.0/30'));
    assert.equal(first, last);
    assert.equal(intToIp(first), '10.9.0.2');
  });

  it('detects equal, containing and contained ranges as overlapping, adjacent ones not', () => {
    const dev = mustParseCidr('10.1.0.0/16');
    assert.ok(overlaps(dev, mustParseCidr('10.1.0.0/16')));
    assert.ok(overlaps(dev, mustParseCidr('10.0.0.0/8')));
    assert.ok(overlaps(dev, mustParseCidr('10.1.200.0/24')));
    assert.ok(!overlaps(dev, mustParseCidr('10.2.0.0/16')));
    assert.ok(!overlaps(dev, mustParseCidr('10.0.255.252/30')));
  });
});
