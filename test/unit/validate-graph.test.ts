import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { catalogOf } from '../../src/validate/host/catalog.js';
import { validateWorkflow } from '../../src/validate/validate-workflow.js';

function jobs(spec: Record<string, string[]>): string {
  const lines = ['jobs:'];
  for (const [name, requires] of Object.entries(spec)) {
    lines.push(`  ${name}:`, '    command: x');
    if (requires.length > 0)
      lines.push('    requires:', ...requires.map((r) => `      - ${r}: COMPLETED`));
  }
  return lines.join('\n');
}

function run(spec: Record<string, string[]>) {
  return validateWorkflow(jobs(spec), 'g.yaml', catalogOf());
}

describe('job graph', () => {
  it('puts jobs in waves: each wave needs only earlier ones, file order within a wave', () => {
    const r = run({ d: ['b', 'c'], c: ['a'], b: ['a'], a: [], e: [] });
    assert.deepEqual(r.plan?.waves, [['a', 'e'], ['c', 'b'], ['d']]);
  });

  it('puts each job in the first wave it can be, whatever the length of the other paths', () => {
    const r = run({ a: [], b: ['a'], c: ['b'], d: ['a'], e: ['c', 'd'] });
    assert.deepEqual(r.plan?.waves, [['a'], ['b', 'd'], ['c'], ['e']]);
  });

  it('reports a cycle as its whole path, starting at the job that comes first in the file', () => {
    const r = run({ x: [], b: ['c'], c: ['a'], a: ['b'] });
    assert.deepEqual(
      r.diagnostics.map((d) => d.message),
      ['requires cycle: b -> c -> a -> b'],
    );
    assert.deepEqual(
      r.diagnostics[0]?.related.map((x) => [x.line, x.message]),
      [
        [11, "'c' requires 'a'"],
        [15, "'a' requires 'b'"],
      ],
    );
  });

  it('reports each independent cycle once, and not the jobs that merely wait on one', () => {
    const r = run({ a: ['b'], b: ['a'], c: ['a'], d: ['e'], e: ['d'], f: ['f2'], f2: [] });
    assert.deepEqual(
      r.diagnostics.map((d) => d.message),
      ['requires cycle: a -> b -> a', 'requires cycle: d -> e -> d'],
    );
  });

  it('gives the same cycle report on every run', () => {
    const spec = { p: ['q', 'r'], q: ['r'], r: ['p'] };
    const first = JSON.stringify(run(spec).diagnostics);
    for (let i = 0; i < 5; i++) assert.equal(JSON.stringify(run(spec).diagnostics), first);
    assert.equal(run(spec).diagnostics[0]?.message, 'requires cycle: p -> q -> r -> p');
  });

  it('handles a 3,000-job chain without deep recursion', () => {
    const spec: Record<string, string[]> = {};
    for (let i = 0; i < 3000; i++) spec[`j${i}`] = i === 0 ? [] : [`j${i - 1}`];
    const r = run(spec);
    assert.equal(r.plan?.waves.length, 3000);
    spec['j0'] = ['j2999'];
    const cyclic = run(spec);
    assert.equal(cyclic.diagnostics.length, 1);
    assert.match(cyclic.diagnostics[0]?.message ?? '', /^requires cycle: j0 -> j2999 -> j2998 -> /);
  });
});
