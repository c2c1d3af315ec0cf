/**
 * Bounded fuzzing: thousands of mutated workflow files per run (seeded, so a failure can be
 * replayed). Whatever the text, validation answers with diagnostics or a plan, never throws, and
 * every diagnostic renders with a position inside the file.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { catalogOf } from '../../src/validate/host/catalog.js';
import { isError, renderDiagnostic } from '../../src/validate/diagnostic.js';
import { validateWorkflow } from '../../src/validate/validate-workflow.js';

const SEEDS = [
  `name: diamond
environment: { DATA: /tmp, LEVEL: "\${DATA}/x" }
jobs:
  fetch:
    command: sh
    args: ["-c", "echo fetch"]
    timeout: 30s
  left:
    command: echo
    requires:
      - fetch: COMPLETED
    resources: { max_memory: 64, max_cpu: 50 }
  right:
    command: echo
    network: backend
    requires:
      - fetch: RUNNING
  join:
    command: echo
    volumes: [data]
    uploads: { files: [a.txt], directories: [lib] }
    requires:
      - left: COMPLETED
      - right: FAILED
`,
  `version: "3.0"
secret_environment:
  TOKEN: abc
workflows:
  one:
    name: One
    jobs:
      a: { command: x, runtime: python-3.11, environment: { A: "\${TOKEN}" } }
      b: { command: y, requires: [ { a: FINISHED } ], retries: 2 }
  two:
    jobs:
      c:
        command: z
        resources: { max_io_bps: 1048576, gpu_count: 0, cpu_cores: "0-1" }
`,
];

const TOKENS = [
  ':',
  ': ',
  '- ',
  '\t',
  '\n',
  '  ',
  '{',
  '}',
  '[',
  ']',
  '"',
  "'",
  '#',
  '&a ',
  '*a',
  '---\n',
  '${X}',
  '? ',
  '|\n',
  '>',
  '%YAML 1.2\n',
  '@',
  '~',
  'null',
  '1e400',
  '-1',
  '!!binary ',
  '!!str ',
  'requires:\n  - a: RUNNING\n',
  ' COMPLETED',
  'jobs:',
  'command:',
  'workflows:',
  ',',
  '\u0000',
  '\uFEFF',
  '<<: *a\n',
  'é',
  '0x1F',
  'true',
];

/** mulberry32: a small seeded PRNG. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function mutate(text: string, random: () => number): string {
  const pick = (n: number): number => Math.floor(random() * n);
  let out = text;
  const edits = 1 + pick(4);
  for (let e = 0; e < edits; e++) {
    const at = pick(out.length + 1);
    const lines = out.split('\n');
    switch (pick(6)) {
      case 0:
        out = out.slice(0, at) + out.slice(at + 1 + pick(8));
        break;
      case 1:
        out = out.slice(0, at) + (TOKENS[pick(TOKENS.length)] ?? '') + out.slice(at);
        break;
      case 2: {
        const i = pick(lines.length);
        lines.splice(i, 0, lines[i] ?? '');
        out = lines.join('\n');
        break;
      }
      case 3: {
        const i = pick(lines.length);
        const j = pick(lines.length);
        [lines[i], lines[j]] = [lines[j] ?? '', lines[i] ?? ''];
        out = lines.join('\n');
        break;
      }
      case 4: {
        const i = pick(lines.length);
        lines[i] = (pick(2) === 0 ? ' ' : '') + (lines[i] ?? '').slice(pick(3));
        out = lines.join('\n');
        break;
      }
      default:
        out = out.replace(
          /COMPLETED|RUNNING|fetch|left|command|jobs/,
          ['DONE', 'fetch', 'x', 'comand', ''][pick(5)] ?? '',
        );
    }
  }
  return out;
}

describe('validation under fuzzing', () => {
  it('never throws and always answers with diagnostics or a plan (3,000 mutated files)', () => {
    const random = prng(20261122);
    const catalog = catalogOf({
      networks: ['backend'],
      volumes: ['data'],
      runtimes: ['python-3.11'],
    });
    const deadline = performance.now() + 8000;
    let runs = 0;
    let valid = 0;
    for (; runs < 3000 && performance.now() < deadline; runs++) {
      const seed = SEEDS[runs % SEEDS.length] ?? '';
      const text = mutate(seed, random);
      let result;
      try {
        result = validateWorkflow(text, 'fuzz.yaml', catalog, { cwd: '/work' });
      } catch (e) {
        assert.fail(`run ${runs} threw ${String(e)} on:\n${text}`);
      }
      const errors = result.diagnostics.filter(isError);
      assert.ok(errors.length > 0 || result.plans.length > 0, `no answer for:\n${text}`);
      assert.ok(errors.length === 0 || result.plans.length === 0, `plan despite errors:\n${text}`);
      if (errors.length === 0) valid++;
      const lineCount = text.split('\n').length + 1;
      for (const d of result.diagnostics) {
        assert.ok(
          d.line >= 1 && d.line <= lineCount && d.column >= 1,
          `bad position ${d.line}:${d.column}`,
        );
        assert.equal(typeof renderDiagnostic(d, text), 'string');
      }
    }
    assert.ok(runs >= 1000, `only ${runs} runs in the time budget`);
    assert.ok(
      valid > 0 && valid < runs,
      `mutations should make some files invalid, keep some valid (${valid}/${runs})`,
    );
  });
});
