import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hostBatch, jobBatch } from '../../src/networks/attach.js';
import { BUILTIN_NETWORKS } from '../../src/networks/builtins.js';
import type { Lease, Network } from '../../src/networks/types.js';

const lease: Lease = {
  network: 'bridge',
  jobId: 'job1',
  address: '172.20.0.7',
  prefixLength: 16,
  gateway: '172.20.0.1',
  bridge: 'rnx0',
};

function network(name: string): Network {
  const n = BUILTIN_NETWORKS.find((b) => b.name === name);
  assert.ok(n);
  return n;
}

describe('phase 2 wiring batches', () => {
  it('creates the peer directly in the job namespace as eth0, enslaved and up, in one request', () => {
    assert.equal(
      hostBatch({ lease, network: network('bridge'), pid: 4242, jobId: 'job1' }, 'rnxvabc'),
      'link add name rnxvabc master rnx0 up type veth peer name eth0 netns 4242',
    );
  });

  it('isolates the bridge port of an isolated job', () => {
    const text = hostBatch({ lease, network: network('isolated'), pid: 7, jobId: 'j' }, 'rnxvdef');
    assert.match(text, /\nlink set dev rnxvdef type bridge_slave isolated on$/);
  });

  it('configures address, eth0 and the default route inside the job in one batch (lo is bwrap’s)', () => {
    assert.equal(
      jobBatch(lease),
      [
        'address add 172.20.0.7/16 broadcast + dev eth0',
        'link set dev eth0 up',
        'route add default via 172.20.0.1 dev eth0',
      ].join('\n'),
    );
  });
});
