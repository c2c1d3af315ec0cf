import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BUILTIN_NETWORKS } from '../../src/networks/builtins.js';
import { hostMarker } from '../../src/networks/host.js';
import { networkScript, removalScript, skeletonScript } from '../../src/networks/nftables.js';
import type { Network } from '../../src/networks/types.js';

function builtin(name: string): Network {
  const n = BUILTIN_NETWORKS.find((b) => b.name === name);
  assert.ok(n);
  return n;
}

const custom: Network = {
  name: 'db-net',
  cidr: '10.20.0.0/24',
  bridge: 'rnx-db-net',
  builtin: false,
  internal: true,
  mode: 'custom',
};

describe('nft ruleset text', () => {
  it('only ever addresses the table inet rnx', () => {
    const all = [
      skeletonScript(),
      ...BUILTIN_NETWORKS.filter((n) => n.mode !== 'none').map((n) => networkScript(n)),
      networkScript(custom),
      removalScript('rnx-db-net'),
    ];
    for (const line of all.join('\n').split('\n')) {
      assert.match(line, /^(add|flush|delete) (table|map|chain|rule|element) inet rnx\b/, line);
    }
  });

  it('rewrites the base chains whole so that re-applying never duplicates rules', () => {
    const text = skeletonScript();
    for (const chain of ['forward', 'input', 'postrouting']) {
      const flush = text.indexOf(`flush chain inet rnx ${chain}\n`);
      const firstRule = text.indexOf(`add rule inet rnx ${chain} `);
      assert.ok(flush !== -1 && flush < firstRule, chain);
    }
  });

  it('accepts same-bridge traffic and NATs the bridge network', () => {
    const text = networkScript(builtin('bridge'));
    assert.match(text, /add rule inet rnx fwd_rnx0 oifname "rnx0" accept/);
    assert.match(text, /add rule inet rnx fwd_rnx0 oifname "rnx\*" drop/);
    assert.match(
      text,
      /add rule inet rnx nat_rnx0 ip saddr 172\.20\.0\.0\/16 oifname != "rnx\*" masquerade/,
    );
    assert.match(text, /add element inet rnx forward_from \{ "rnx0" : jump fwd_rnx0 \}/);
  });

  it('drops same-bridge traffic on the isolated network but still NATs it', () => {
    const text = networkScript(builtin('isolated'));
    assert.match(text, /fwd_rnx1 oifname "rnx1" drop/);
    assert.match(text, /nat_rnx1 ip saddr 172\.21\.0\.0\/16/);
  });

  it('keeps an internal network inside its subnet: no NAT, forward drop, host only at its own range', () => {
    const text = networkScript(custom);
    assert.doesNotMatch(text, /masquerade/);
    assert.match(text, /add rule inet rnx fwd_rnx-db-net drop$/m);
    assert.match(text, /add rule inet rnx in_rnx-db-net ip daddr != 10\.20\.0\.0\/24 drop/);
  });

  it('removes a network by adding then deleting its objects, so that absent ones are no error', () => {
    const text = removalScript('rnx-db-net');
    for (const chain of ['fwd_rnx-db-net', 'in_rnx-db-net', 'nat_rnx-db-net']) {
      assert.ok(
        text.indexOf(`add chain inet rnx ${chain}`) <
          text.indexOf(`delete chain inet rnx ${chain}`),
      );
    }
  });

  it('refuses an interface name that could inject nft syntax', () => {
    assert.throws(() => networkScript({ ...custom, bridge: 'rnx" accept;' }));
  });
});

describe('host marker', () => {
  it('changes whenever the rules or the range of a network change, and only then', () => {
    assert.equal(hostMarker(custom), hostMarker({ ...custom }));
    assert.notEqual(hostMarker(custom), hostMarker({ ...custom, internal: false }));
    assert.notEqual(hostMarker(custom), hostMarker({ ...custom, cidr: '10.20.1.0/24' }));
    assert.match(hostMarker(custom), /^rnx:[0-9a-f]{16}$/);
  });

  it('is carried as the comment of the network’s first rule', () => {
    const text = networkScript(custom, hostMarker(custom));
    assert.match(
      text,
      /add rule inet rnx fwd_rnx-db-net oifname "rnx-db-net" accept comment "rnx:[0-9a-f]{16}"/,
    );
  });
});
