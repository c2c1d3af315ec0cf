/**
 * The validator's catalog: `has` answers for built-in networks without reading the stores
 * (lazyCatalog), and the environment rule asks it so, reading them once only for a name that is
 * not built in.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  catalogOf,
  lazyCatalog,
  type Catalog,
  type StoredNames,
} from '../../src/validate/host/catalog.js';
import { validateWorkflow } from '../../src/validate/validate-workflow.js';

/** A lazy catalog over `stored` that counts its reads of the stores. */
function counted(stored: StoredNames): { catalog: Catalog; reads: () => number } {
  let reads = 0;
  const catalog = lazyCatalog(() => {
    reads += 1;
    return stored;
  });
  return { catalog, reads: () => reads };
}

const STORED: StoredNames = {
  networks: ['bridge', 'isolated', 'none', 'backend'],
  volumes: ['pgdata'],
  runtimes: ['python-3.11'],
};

describe('catalog', () => {
  it('catalogOf: built-in networks first, each once; has() of every kind', () => {
    const c = catalogOf({ networks: ['backend', 'bridge'], volumes: ['pgdata'] });
    assert.deepEqual(c.networks, ['bridge', 'isolated', 'none', 'backend']);
    for (const name of ['bridge', 'isolated', 'none', 'backend']) {
      assert.equal(c.has('network', name), true, name);
    }
    assert.equal(c.has('network', 'frontend'), false);
    assert.equal(c.has('volume', 'pgdata'), true);
    assert.equal(c.has('volume', 'backend'), false);
    assert.equal(c.has('runtime', 'pgdata'), false);
  });

  it('lazyCatalog: has() of a built-in network reads nothing; anything else reads once', () => {
    const { catalog, reads } = counted(STORED);
    for (const name of ['bridge', 'isolated', 'none'])
      assert.equal(catalog.has('network', name), true);
    assert.equal(reads(), 0);
    assert.equal(catalog.has('network', 'backend'), true);
    assert.equal(catalog.has('network', 'frontend'), false);
    assert.equal(catalog.has('volume', 'pgdata'), true);
    assert.equal(catalog.has('runtime', 'python-3.11'), true);
    assert.equal(catalog.has('runtime', 'pgdata'), false);
    assert.deepEqual(catalog.networks, STORED.networks);
    assert.equal(reads(), 1);
  });

  it('validation of a file naming only built-in networks reads no store', () => {
    const { catalog, reads } = counted(STORED);
    const r = validateWorkflow(
      `jobs:
  a: { command: x }
  b: { command: x, network: isolated }
  c: { command: x, network: none }
`,
      'w.yaml',
      catalog,
    );
    assert.deepEqual(r.diagnostics, []);
    assert.equal(reads(), 0);
  });

  it('validation reads the stores once for other names and reports the missing ones (in file order)', () => {
    const { catalog, reads } = counted(STORED);
    const r = validateWorkflow(
      `volumes: [pgdata, cache]
jobs:
  a: { command: x, network: backend, volumes: [pgdata] }
  b: { command: x, network: backnd, runtime: python-3.11 }
  c: { command: x, volumes: [cache], runtime: python-3.12 }
`,
      'w.yaml',
      catalog,
    );
    assert.deepEqual(
      r.diagnostics.map((d) => `${d.code}: ${d.message}`),
      [
        "missing-volume: volume 'cache' does not exist",
        "missing-network: network 'backnd' does not exist; did you mean 'backend'?",
        "missing-runtime: runtime 'python-3.12' does not exist; did you mean 'python-3.11'?",
      ],
    );
    assert.equal(reads(), 1);
  });
});
