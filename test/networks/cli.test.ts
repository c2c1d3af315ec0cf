/**
 * `rnx network create|list|inspect|remove` as a user runs them, with the real bridge and nft table
 * appearing and disappearing in the test namespace.
 */
import assert from 'node:assert/strict';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { openDatabase } from '../../src/state/database.js';
import { leaseAddress, releaseLease } from '../../src/networks/leases.js';
import { currentProcessOwner } from '../../src/networks/owner.js';
import { runCli, tempDir } from '../helpers/cli.js';
import { linkNames, requireSandbox, resetHost, rnxTable, run } from './netns.js';

describe('rnx network commands', () => {
  let dir: string;
  let cleanup: () => void;
  const rnx = (...args: string[]) => runCli(args, { stateDir: dir });

  before(requireSandbox);
  beforeEach(async () => {
    await resetHost();
    ({ dir, cleanup } = tempDir('rnx-cli-net-'));
  });
  afterEach(() => cleanup());
  after(resetHost);

  it('creates, lists, inspects and removes a network, with its bridge and rules', async () => {
    const created = await rnx('network', 'create', 'development', '--cidr=10.1.0.0/24');
    assert.equal(created.code, 0, created.stderr);
    assert.equal(
      created.stdout,
      'created network development (10.1.0.0/24) on bridge rnx-development\n',
    );
    assert.ok((await linkNames()).includes('rnx-development'));
    assert.match((await rnxTable()) ?? '', /fwd_rnx-development/);

    const list = await rnx('network', 'list');
    assert.equal(
      list.stdout,
      [
        'NAME         CIDR           BRIDGE',
        'bridge       172.20.0.0/16  rnx0',
        'isolated     172.21.0.0/16  rnx1',
        'none         -              -',
        'development  10.1.0.0/24    rnx-development',
        '',
      ].join('\n'),
    );
    const json = JSON.parse((await rnx('network', 'list', '--json')).stdout) as {
      networks: { name: string; cidr: string; bridge: string; builtin: boolean }[];
    };
    assert.deepEqual(json.networks[0], {
      name: 'bridge',
      cidr: '172.20.0.0/16',
      bridge: 'rnx0',
      builtin: true,
      internal: false,
      mode: 'bridge',
    });
    assert.deepEqual(
      json.networks.map((n) => [n.name, n.builtin]),
      [
        ['bridge', true],
        ['isolated', true],
        ['none', true],
        ['development', false],
      ],
    );

    const inspect = await rnx('network', 'inspect', 'development');
    assert.equal(inspect.code, 0);
    assert.match(inspect.stdout, /gateway:\s+10\.1\.0\.1/);
    assert.match(inspect.stdout, /no leases/);

    const removed = await rnx('network', 'remove', 'development');
    assert.equal(removed.code, 0, removed.stderr);
    assert.ok(!(await linkNames()).includes('rnx-development'));
    assert.equal(await rnxTable(), undefined);
    assert.equal((await rnx('network', 'list', '--json')).stdout.includes('development'), false);
  });

  it('creates an internal network without NAT', async () => {
    const r = await rnx('network', 'create', 'db-net', '--cidr=10.20.0.0/24', '--internal');
    assert.equal(r.code, 0, r.stderr);
    const table = (await rnxTable()) ?? '';
    assert.match(table, /chain in_rnx-db-net/);
    assert.doesNotMatch(table, /nat_rnx-db-net/);
    const inspect = JSON.parse((await rnx('network', 'inspect', 'db-net', '--json')).stdout) as {
      internal: boolean;
    };
    assert.equal(inspect.internal, true);
    assert.equal((await rnx('network', 'remove', 'db-net')).code, 0);
  });

  it('refuses overlaps: equal, containing, contained; allows adjacent', async () => {
    assert.equal((await rnx('network', 'create', 'development', '--cidr=10.1.0.0/16')).code, 0);
    for (const cidr of ['10.1.0.0/16', '10.0.0.0/12', '10.1.0.0/24']) {
      const r = await rnx('network', 'create', 'other', `--cidr=${cidr}`);
      assert.equal(r.code, 2, cidr);
      assert.equal(
        r.stderr.split('\n')[0],
        `rnx: failed to create network: CIDR ${cidr} overlaps with existing network 'development' (10.1.0.0/16)`,
      );
    }
    for (const cidr of ['10.0.0.0/16', '10.2.0.0/16']) {
      const r = await rnx('network', 'create', `adj-${cidr.split('.')[1] ?? ''}`, `--cidr=${cidr}`);
      assert.equal(r.code, 0, r.stderr);
    }
    const names = (await linkNames()).filter((n) => n.startsWith('rnx-'));
    assert.deepEqual(names.sort(), ['rnx-adj-0', 'rnx-adj-2', 'rnx-development']);
  });

  it('refuses a range holding a host route or a host address, naming it', async () => {
    await run('ip', ['route', 'add', '203.0.113.0/24', 'via', '198.51.100.1']);
    try {
      const r = await rnx('network', 'create', 'shadow', '--cidr=203.0.113.0/25');
      assert.equal(r.code, 2);
      assert.match(
        r.stderr,
        /^rnx: failed to create network: CIDR 203\.0\.113\.0\/25 overlaps with host route 203\.0\.113\.0\/24 \(dev up-host\)\n/,
      );
      const addr = await rnx('network', 'create', 'shadow', '--cidr=198.51.100.0/30');
      assert.match(addr.stderr, /overlaps with host address 198\.51\.100\.2 \(on up-host\)/);
    } finally {
      await run('ip', ['route', 'del', '203.0.113.0/24']);
    }
    assert.ok(!(await linkNames()).includes('rnx-shadow'));
  });

  it("refuses a range holding the host's DNS server", async () => {
    const resolv = join(dir, 'resolv.conf');
    writeFileSync(resolv, 'nameserver 192.0.2.53\n');
    // The harness's mount namespace is private: this bind mount is invisible outside the tests.
    const mounted = await run('mount', ['--bind', resolv, '/etc/resolv.conf']);
    assert.equal(mounted.code, 0, mounted.stderr);
    try {
      const r = await rnx('network', 'create', 'dns', '--cidr=192.0.2.0/24');
      assert.equal(r.code, 2);
      assert.equal(
        r.stderr.split('\n')[0],
        "rnx: failed to create network: CIDR 192.0.2.0/24 overlaps with the host's DNS server 192.0.2.53 (from resolv.conf)",
      );
    } finally {
      await run('umount', ['/etc/resolv.conf']);
    }
  });

  it('refuses bad names and CIDRs with one clear line, creating nothing', async () => {
    const cases: [string[], RegExp][] = [
      [['network', 'create', 'a b', '--cidr=10.5.0.0/24'], /^rnx: invalid network name 'a b'$/],
      [['network', 'create', 'a;b', '--cidr=10.5.0.0/24'], /^rnx: invalid network name 'a;b'$/],
      [['network', 'create', 'a/b', '--cidr=10.5.0.0/24'], /^rnx: invalid network name 'a\/b'$/],
      [['network', 'create', 'x'.repeat(200), '--cidr=10.5.0.0/24'], /\(200 characters\)$/],
      [
        ['network', 'create', 'n', '--cidr=10.10.0.5/24'],
        /^rnx: CIDR 10\.10\.0\.5\/24 is not a network address$/,
      ],
      [['network', 'create', 'n', '--cidr=10.5.0.0/31'], /prefix must be \/30 or shorter/],
      [['network', 'create', 'n', '--cidr=banana'], /^rnx: 'banana' is not an IPv4 CIDR$/],
      [['network', 'create', 'n', '--cidr=224.0.0.0/24'], /is in 224\.0\.0\.0\/4, multicast/],
      [['network', 'create', 'n', '--cidr=255.255.255.252/30'], /240\.0\.0\.0\/4, reserved/],
      [['network', 'create', 'n', '--cidr=169.254.0.0/16'], /link-local/],
      [['network', 'create', 'n', '--cidr=127.0.0.0/8'], /loopback/],
      [['network', 'create', 'n', '--cidr=0.0.0.0/8'], /"this network"/],
      [
        ['network', 'create', 'x'.repeat(33), '--cidr=10.5.0.0/24'],
        /at most 32|invalid network name/,
      ],
      [['network', 'create', 'bridge', '--cidr=10.5.0.0/24'], /'bridge' is a built-in network/],
      [['network', 'create', 'n'], /--cidr is required/],
    ];
    for (const [args, pattern] of cases) {
      const r = await rnx(...args);
      assert.equal(r.code, 2, args.join(' '));
      assert.match(r.stderr.split('\n')[0] ?? '', pattern);
    }
    const hint = await rnx('network', 'create', 'n', '--cidr=10.10.0.5/24');
    assert.match(hint.stderr, /hint: did you mean 10\.10\.0\.0\/24\?/);
    assert.equal((await linkNames()).filter((n) => n.startsWith('rnx')).length, 0);
    assert.equal(await rnxTable(), undefined);
  });

  it('refuses duplicates and removing built-ins or unknown networks', async () => {
    assert.equal((await rnx('network', 'create', 'dup', '--cidr=10.6.0.0/24')).code, 0);
    const again = await rnx('network', 'create', 'dup', '--cidr=10.7.0.0/24');
    assert.equal(again.code, 2);
    assert.match(again.stderr, /a network named 'dup' already exists/);
    for (const name of ['bridge', 'isolated', 'none']) {
      const r = await rnx('network', 'remove', name);
      assert.equal(r.code, 2);
      assert.equal(r.stderr, `rnx: cannot remove built-in network '${name}'\n`);
    }
    const unknown = await rnx('network', 'remove', 'dupp');
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /network 'dupp' does not exist\n {2}hint: did you mean 'dup'\?/);
  });

  it('refuses to remove a network while a job holds an address, shows the lease, removes it after', async () => {
    assert.equal((await rnx('network', 'create', 'busy', '--cidr=10.8.0.0/24')).code, 0);
    const db = openDatabase(dir);
    try {
      const lease = leaseAddress(db, 'busy', currentProcessOwner('job-42'));
      assert.ok(lease.ok);
      const inspect = await rnx('network', 'inspect', 'busy');
      assert.match(inspect.stdout, /job-42\s+10\.8\.0\.2/);
      const json = JSON.parse((await rnx('network', 'inspect', 'busy', '--json')).stdout) as {
        leases: { job: string; address: string }[];
      };
      assert.deepEqual(
        json.leases.map((l) => [l.job, l.address]),
        [['job-42', '10.8.0.2']],
      );
      const refused = await rnx('network', 'remove', 'busy');
      assert.equal(refused.code, 2);
      assert.match(
        refused.stderr,
        /^rnx: cannot remove network 'busy': a job holds an address in it\n/,
      );
      assert.ok((await linkNames()).includes('rnx-busy'), 'nothing removed');
      releaseLease(db, 'job-42');
    } finally {
      db.close();
    }
    assert.equal((await rnx('network', 'remove', 'busy')).code, 0);
    assert.ok(!(await linkNames()).includes('rnx-busy'));
  });
});

describe('rnx network create on a host without nft', () => {
  before(requireSandbox);
  after(resetHost);

  it('names the missing tool and its Debian package, exits 3 and leaves nothing behind', async () => {
    const { dir, cleanup } = tempDir('rnx-no-nft-');
    const bin = join(dir, 'bin');
    try {
      mkdirSync(bin);
      const ip = (await run('sh', ['-c', 'command -v ip'])).stdout.trim();
      symlinkSync(ip, join(bin, 'ip'));
      const r = await runCli(['network', 'create', 'nonft', '--cidr=10.9.0.0/24'], {
        stateDir: join(dir, 'state'),
        env: { PATH: bin },
      });
      assert.equal(r.code, 3);
      assert.equal(
        r.stderr,
        "rnx: 'nft' (Debian package nftables) is not on PATH\n  hint: install with: apt-get install nftables (or add the directory that holds it to PATH); see 'rnx system check'\n",
      );
      assert.ok(!(await linkNames()).includes('rnx-nonft'));
      const list = await runCli(['network', 'list', '--json'], { stateDir: join(dir, 'state') });
      assert.doesNotMatch(list.stdout, /nonft/);
    } finally {
      cleanup();
    }
  });
});
