/**
 * Validation blow-ups reproduced for real with generated files: a list nested 3,000 deep, an
 * environment value doubled through `${...}` 33 times, 8,000 jobs each requiring a missing one,
 * a FIFO given as the workflow file, escape sequences in a file. Each ends in located diagnostics
 * and exit 2, never a crash, a hang or a flood.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { catalogOf } from '../../src/validate/host/catalog.js';
import { renderDiagnostics } from '../../src/validate/diagnostic.js';
import { LARGE_FILE, loadInWorker } from '../../src/validate/load/load-large.js';
import { loadedFrom, loadYaml, locate } from '../../src/validate/load/load.js';
import { validateWorkflowFile } from '../../src/validate/load/read-file.js';
import { validateLoaded, validateWorkflow } from '../../src/validate/validate-workflow.js';
import { noStackTrace, runCli, tempDir } from '../helpers/cli.js';
import {
  deeplyNested,
  doublingEnvironment,
  missingRequirements,
  validChain,
} from '../helpers/generated-workflows.js';

const tmp = tempDir('rnx-limits-');
after(() => tmp.cleanup());

function file(name: string, text: string): string {
  const path = join(tmp.dir, name);
  writeFileSync(path, text);
  return path;
}

const validate = (text: string) => validateWorkflow(text, 'w.yaml', catalogOf());

describe('validation limits', () => {
  it('a block list nested 3,000 deep is one yaml-too-deep error at the 65th level', () => {
    for (const text of [
      deeplyNested(3000),
      `jobs:\n  a:\n    command: x\n    args: ${'['.repeat(3000)}${']'.repeat(3000)}\n`,
    ]) {
      const r = validate(text);
      assert.deepEqual(
        r.diagnostics.map((d) => [d.code, d.line]),
        [['yaml-too-deep', text.startsWith('jobs:\n  a:\n    command: "true"') ? 5 : 4]],
      );
      assert.match(r.diagnostics[0]?.message ?? '', /more than 64 levels deep/);
    }
  });

  it('64 levels are read; 65 are refused', () => {
    // The maps are 3 levels (top, jobs, a): 61 lists under `args:` make 64.
    const ok = validate(`jobs:\n  a:\n    command: x\n    args:\n      ${'- '.repeat(61)}leaf\n`);
    assert.notEqual(ok.diagnostics[0]?.code, 'yaml-too-deep');
    const deep = validate(`jobs:\n  a:\n    command: x\n    args:\n      ${'- '.repeat(62)}leaf\n`);
    assert.equal(deep.diagnostics[0]?.code, 'yaml-too-deep');
  });

  it('an environment value doubled 33 times is env-too-large at the first one too long', () => {
    const r = validate(doublingEnvironment(33));
    assert.deepEqual(
      r.diagnostics.map((d) => [d.code, d.line, d.column]),
      [['env-too-large', 18, 3]],
    );
    assert.match(r.diagnostics[0]?.message ?? '', /'V16' expands to more than 131071 bytes/);
    // 15 doublings (64 KiB) are fine.
    assert.deepEqual(validate(doublingEnvironment(15)).diagnostics, []);
  });

  it('8,000 jobs requiring missing ones: 8,000 located errors, short hints, near misses found', () => {
    const source = `${missingRequirements(8000)}  late:\n    command: x\n    requires:\n      - job-7998x: COMPLETED\n`;
    const r = validate(source);
    assert.equal(r.diagnostics.length, 8001);
    assert.ok(r.diagnostics.every((d) => d.code === 'unknown-job'));
    assert.match(
      r.diagnostics[0]?.hint ?? '',
      /^jobs here: job-0, .*, job-9, \.\.\. \(7991 more\)$/,
    );
    const late = r.diagnostics.find((d) => d.message.includes("job 'late'"));
    assert.match(late?.message ?? '', /did you mean 'job-7998'\?/);
    const text = renderDiagnostics(r.diagnostics, source);
    assert.ok(text.length < 4_000_000, `${String(text.length)} characters of diagnostics`);
  });

  it('rnx workflow validate on 8,000 missing requirements prints a few MB, exit 2', async () => {
    const r = await runCli(
      [
        'workflow',
        'validate',
        '--skip-environment',
        '--quiet',
        file('many.yaml', missingRequirements(8000)),
      ],
      {
        timeoutMs: 120_000,
      },
    );
    assert.equal(r.code, 2);
    noStackTrace(r.stderr);
    assert.ok(r.stderr.length < 4_000_000, `${String(r.stderr.length)} bytes on stderr`);
    assert.match(r.stdout, /many\.yaml: invalid \(8000 errors\)\n$/);
  });

  it('rnx workflow validate refuses a FIFO at once instead of waiting for a writer', async () => {
    const fifo = join(tmp.dir, 'pipe.yaml');
    assert.equal(spawnSync('mkfifo', [fifo]).status, 0);
    const r = await runCli(['workflow', 'validate', '--skip-environment', fifo], {
      timeoutMs: 10_000,
    });
    assert.equal(r.signal, null, 'rnx blocked on the FIFO and was killed');
    assert.equal(r.code, 2);
    assert.match(
      r.stderr,
      /cannot read the workflow file: it is a FIFO \(named pipe\), not a regular file/,
    );
    const dir = await runCli(['workflow', 'validate', '--skip-environment', tmp.dir]);
    assert.equal(dir.code, 2);
    assert.match(dir.stderr, /it is a directory/);
  });

  it('shows control characters from a file escaped: no raw ESC or NUL reaches the terminal', async () => {
    const path = file(
      'escapes.yaml',
      'jobs:\n  a:\n    comand: "x"\n    command: x\n    network: "\u001b]0;pwned\u0007\u001b[2J"\n  "b\u001b[31m":\n    command: y\n',
    );
    for (const args of [
      ['workflow', 'validate', path],
      ['job', 'run', `--workflow=${path}`, '--dry-run'],
    ]) {
      const r = await runCli(args);
      assert.equal(r.code, 2);
      const raw = [...(r.stderr + r.stdout)].filter((c) => c < ' ' && c !== '\n');
      assert.deepEqual(raw, []);
      assert.match(r.stderr, /\\x1b\]0;pwned\\x07\\x1b\[2J/);
    }
  });

  it('clips a huge value in a message, and shows a long line around the mistake', () => {
    const source = `jobs:\n  a:\n    command: x\n  b:\n    command: y\n    requires: [a: ${'K'.repeat(50_000)}]\n`;
    const r = validate(source);
    const d = r.diagnostics.find((x) => x.code === 'unknown-condition');
    assert.ok(d !== undefined, JSON.stringify(r.diagnostics.map((x) => x.code)));
    assert.ok(d.message.length < 500, `message of ${String(d.message.length)} characters`);
    const text = renderDiagnostics(r.diagnostics, source);
    assert.ok(text.length < 3000, `${String(text.length)} characters rendered`);
  });
});

describe('a large file', () => {
  it('past 4 MB frees its YAML document and still locates a mistake found later', () => {
    const source = `${validChain(30_000)}    comand: typo\n`;
    assert.ok(source.length > 4 * 1024 * 1024);
    const r = validate(source);
    const lines = source.split('\n').length - 1;
    assert.deepEqual(
      r.diagnostics.map((d) => [d.code, d.line, d.column]),
      [['unknown-key', lines, 5]],
    );
  });
});

describe('a large file loaded in a worker thread', () => {
  const loadBoth = async (source: string) => {
    const found = await loadInWorker({ source, file: 'w.yaml' });
    assert.ok(found !== undefined, 'the worker thread failed');
    return { here: loadYaml(source, 'w.yaml'), apart: loadedFrom(source, 'w.yaml', found) };
  };

  it('finds the same data, YAML errors and duplicate keys as loading it here', async () => {
    const samples = [
      `${validChain(50)}  odd:\n    command: x\n    __proto__: { polluted: yes }\n`,
      'jobs:\n  a: { command: x, args: [*nope] }\n',
      `base: &b { command: x }\njobs:\n  a: { <<: *b, network: none }\n  a: { command: y }\n`,
      'jobs:\n  a:\n\tcommand: x\n',
      deeplyNested(100),
      `a: &a [x, x]\nb: &b [${'*a, '.repeat(40)}*a]\nc: [${'*b, '.repeat(40)}*b]\n`,
      'jobs:\r\n  a:\r\n    command: x\r\n    comand: y\r\n',
    ];
    for (const source of samples) {
      const { here, apart } = await loadBoth(source);
      assert.deepEqual(apart.data, here.data, source);
      assert.deepEqual(apart.diagnostics, here.diagnostics, source);
      assert.deepEqual(apart.duplicateKeys, here.duplicateKeys, source);
      assert.deepEqual(apart.lines.lineStarts, here.lines.lineStarts, source);
      assert.deepEqual(
        locate(apart, ['jobs', 'a', 'comand'], 'key'),
        locate(here, ['jobs', 'a', 'comand'], 'key'),
      );
    }
    const { apart: twice } = await loadBoth('jobs:\n  a:\n    command: x\n    command: y\n');
    assert.deepEqual(
      twice.duplicateKeys.map((d) => [d.code, d.line, d.related[0]?.line]),
      [['yaml-duplicate-key', 4, 3]],
    );
    // yaml keeps `__proto__` as an own key, and so does the copy from the worker.
    const { apart: odd } = await loadBoth(samples[0] ?? '');
    const job = (odd.data as { jobs: Record<string, object> }).jobs['odd'];
    assert.equal(Object.getPrototypeOf(job), Object.prototype);
    assert.deepEqual(Object.getOwnPropertyDescriptor(job, '__proto__')?.value, { polluted: 'yes' });
    // The plan made from the worker's data is the one made here.
    const valid = validChain(50);
    const { apart } = await loadBoth(valid);
    assert.deepEqual(validateLoaded(apart, catalogOf()), validate(valid));
  });

  it('a file past 4 MB is loaded apart, and its mistakes are located', async () => {
    const broken = `${validChain(30_000)}    comand: typo\n  job-000001:\n    command: again\n`;
    assert.ok(broken.length > LARGE_FILE);
    const lines = broken.split('\n').length - 1;
    const r = await validateWorkflowFile(file('broken-large.yaml', broken), catalogOf(), {
      checkEnvironment: false,
    });
    assert.deepEqual(
      r.diagnostics.map((d) => [d.code, d.line, d.column]),
      [
        ['yaml-duplicate-key', lines - 1, 3],
        ['unknown-key', lines - 2, 5],
      ].sort((a, b) => Number(a[1]) - Number(b[1])),
    );
  });
});
