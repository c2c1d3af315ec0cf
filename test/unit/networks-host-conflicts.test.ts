import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mustParseCidr } from '../../src/networks/cidr.js';
import {
  findHostConflict,
  parseNameservers,
  type HostFacts,
} from '../../src/networks/host-conflicts.js';

const facts: HostFacts = {
  addresses: [
    { address: '127.0.0.1', device: 'lo' },
    { address: '192.168.7.20', device: 'eth0' },
    { address: '172.20.0.1', device: 'rnx0' },
  ],
  routes: [
    { destination: 'default', device: 'eth0' },
    { destination: '192.168.7.0/24', device: 'eth0' },
    { destination: '10.44.0.0/16', device: 'wg0' },
    { destination: '172.20.0.0/16', device: 'rnx0' },
    { destination: '100.64.1.1', device: 'tun0' },
  ],
  dnsServers: ['10.255.255.53'],
};

describe('host conflicts', () => {
  it('names a host address inside the range', () => {
    assert.equal(
      findHostConflict(mustParseCidr('192.168.7.16/28'), facts),
      'host address 192.168.7.20 (on eth0)',
    );
  });

  it('names a route the range overlaps, whether it contains or is contained', () => {
    assert.equal(
      findHostConflict(mustParseCidr('10.44.3.0/24'), facts),
      'host route 10.44.0.0/16 (dev wg0)',
    );
    assert.equal(
      findHostConflict(mustParseCidr('10.32.0.0/11'), facts),
      'host route 10.44.0.0/16 (dev wg0)',
    );
    assert.equal(
      findHostConflict(mustParseCidr('100.64.1.0/30'), facts),
      'host route 100.64.1.1 (dev tun0)',
    );
  });

  it('names a DNS server inside the range', () => {
    assert.equal(
      findHostConflict(mustParseCidr('10.255.0.0/16'), facts),
      "the host's DNS server 10.255.255.53 (from resolv.conf)",
    );
  });

  it('ignores the default route and rnx-owned interfaces', () => {
    assert.equal(findHostConflict(mustParseCidr('10.1.0.0/24'), facts), undefined);
    assert.equal(findHostConflict(mustParseCidr('172.20.5.0/24'), facts), undefined);
  });

  it('reads IPv4 nameservers from resolv.conf text', () => {
    const text =
      '# comment\nnameserver 1.1.1.1\nsearch example\nnameserver fd00::1\n  nameserver 9.9.9.9 \n';
    assert.deepEqual(parseNameservers(text), ['1.1.1.1', '9.9.9.9']);
  });
});
