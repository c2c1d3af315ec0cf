/** Network records and their checks on a temporary state database. */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { openDatabase, type Database } from '../../src/state/database.js';
import { mustParseCidr } from '../../src/networks/cidr.js';
import { validateNetworkInput } from '../../src/networks/manage.js';
import { deleteNetworkRecord, insertNetwork, listNetworks } from '../../src/networks/store.js';
import { leaseAddress } from '../../src/networks/leases.js';
import { currentProcessOwner } from '../../src/networks/owner.js';
import { tempDir } from '../helpers/cli.js';

describe('network store', () => {
  let db: Database;
  let cleanup: () => void;

  function add(name: string, cidr: string) {
    return insertNetwork(db, { name, cidr: mustParseCidr(cidr), internal: false });
  }

  beforeEach(() => {
    const dir = tempDir('rnx-store-');
    cleanup = dir.cleanup;
    db = openDatabase(dir.dir);
  });

  afterEach(() => {
    db.close();
    cleanup();
  });

  it('lists the built-ins first, then custom networks by name', () => {
    assert.ok(add('zeta', '10.30.0.0/24').ok);
    assert.ok(add('alpha', '10.31.0.0/24').ok);
    assert.deepEqual(
      listNetworks(db).map((n) => [n.name, n.builtin]),
      [
        ['bridge', true],
        ['isolated', true],
        ['none', true],
        ['alpha', false],
        ['zeta', false],
      ],
    );
  });

  it('refuses an overlap with the exact message of the guide', () => {
    assert.ok(add('development', '10.1.0.0/16').ok);
    const r = add('x', '10.1.0.0/24');
    assert.ok(!r.ok);
    assert.equal(
      r.problem.message,
      "failed to create network: CIDR 10.1.0.0/24 overlaps with existing network 'development' (10.1.0.0/16)",
    );
  });

  it('refuses overlaps with built-ins, equal, containing and contained ranges; allows adjacent ones', () => {
    assert.ok(add('mid', '10.40.0.0/16').ok);
    for (const cidr of [
      '10.40.0.0/16',
      '10.0.0.0/8',
      '10.40.7.0/24',
      '172.20.3.0/24',
      '172.16.0.0/12',
    ]) {
      const r = add(`n${cidr.replace(/[./]/g, '-')}`, cidr);
      assert.ok(!r.ok, cidr);
      assert.equal(r.problem.code, 'cidr-overlap');
    }
    assert.ok(add('below', '10.39.0.0/16').ok);
    assert.ok(add('above', '10.41.0.0/16').ok);
  });

  it('refuses a duplicate name', () => {
    assert.ok(add('dup', '10.50.0.0/24').ok);
    const r = add('dup', '10.51.0.0/24');
    assert.ok(!r.ok);
    assert.equal(
      r.problem.message,
      "failed to create network: a network named 'dup' already exists",
    );
  });

  it('refuses to create a built-in, a bad name or a bad CIDR before touching anything', () => {
    for (const [name, cidr, code] of [
      ['bridge', '10.60.0.0/24', 'network-builtin'],
      ['none', '10.60.0.0/24', 'network-builtin'],
      ['a;b', '10.60.0.0/24', 'network-name-invalid'],
      ['ok', '10.60.0.5/24', 'cidr-not-network'],
      ['ok', '10.60.0.0/31', 'cidr-too-small'],
    ] as const) {
      const r = validateNetworkInput({ name, cidr });
      assert.ok(!r.ok, name);
      assert.equal(r.problem.code, code);
    }
  });

  it('keeps a record while a job holds a lease in it, and deletes it once released', () => {
    assert.ok(add('busy', '10.70.0.0/24').ok);
    assert.ok(leaseAddress(db, 'busy', currentProcessOwner('holder')).ok);
    assert.equal(deleteNetworkRecord(db, 'busy'), 1);
    db.prepare('DELETE FROM leases').run();
    assert.equal(deleteNetworkRecord(db, 'busy'), 0);
    assert.equal(listNetworks(db).length, 3);
  });
});
