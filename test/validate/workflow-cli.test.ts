/** The workflow commands as a user runs them: output text, JSON, exit codes, no stack traces. */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { noStackTrace, runCli, tempDir } from '../helpers/cli.js';

const tmp = tempDir('rnx-validate-');
after(() => tmp.cleanup());

function file(name: string, text: string): string {
  const path = join(tmp.dir, name);
  writeFileSync(path, text);
  return path;
}

describe('rnx job run --workflow --dry-run', () => {
  it('validates and prints the plan in waves, plain text when not a terminal', async () => {
    const r = await runCli(['job', 'run', '--workflow=workflows/diamond.yaml', '--dry-run']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, '');
    assert.equal(
      r.stdout,
      [
        'Validating workflow prerequisites...',
        'OK: All required networks exist',
        '',
        "Workflow 'diamond' (workflows/diamond.yaml): 4 jobs in 3 waves",
        'fetch, then two transforms side by side, then a join',
        '',
        'WAVE  JOB    NETWORK  REQUIRES',
        '1     fetch  bridge   -',
        '2     left   bridge   fetch (COMPLETED)',
        '2     right  bridge   fetch (COMPLETED)',
        '3     join   bridge   left (COMPLETED), right (COMPLETED)',
        '',
        'Dry run: nothing was started.',
        '',
      ].join('\n'),
    );
  });

  it('prints the plan as JSON with --json', async () => {
    const r = await runCli([
      'job',
      'run',
      '--workflow=workflows/diamond.yaml',
      '--dry-run',
      '--json',
    ]);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as { valid: boolean; plan: { waves: string[][] } };
    assert.equal(out.valid, true);
    assert.deepEqual(out.plan.waves, [['fetch'], ['left', 'right'], ['join']]);
  });

  it('reports every problem at file:line:col and exits 2', async () => {
    const path = file(
      'bad.yaml',
      'jobs:\n  a:\n    comand: x\n  b:\n    command: y\n    requires:\n      - a: DONE\n',
    );
    const r = await runCli(['job', 'run', `--workflow=${path}`, '--dry-run']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, new RegExp(`${path}:3:5 error unknown-key: unknown key 'comand'`));
    assert.match(
      r.stderr,
      new RegExp(`${path}:7:12 error unknown-condition: unknown condition 'DONE'`),
    );
    assert.match(r.stdout, /FAILED: .*bad\.yaml is invalid: 2 errors/);
    noStackTrace(r.stderr);
  });

  it('prints the diagnostics as JSON with --json', async () => {
    const path = file('cycle.yaml', 'jobs:\n  a: { command: x, requires: [ { a: COMPLETED } ] }\n');
    const r = await runCli(['job', 'run', `--workflow=${path}`, '--dry-run', '--json']);
    assert.equal(r.code, 2);
    const out = JSON.parse(r.stdout) as {
      valid: boolean;
      diagnostics: { code: string; line: number }[];
    };
    assert.equal(out.valid, false);
    assert.deepEqual(
      out.diagnostics.map((d) => [d.code, d.line]),
      [['self-requirement', 2]],
    );
  });

  it('says so, without a stack trace, when the file cannot be read', async () => {
    const r = await runCli(['job', 'run', '--workflow=nope/missing.yaml', '--dry-run']);
    assert.equal(r.code, 2);
    assert.match(
      r.stderr,
      /nope\/missing\.yaml:1:1 error unreadable-file: cannot read the workflow file: no such file/,
    );
    noStackTrace(r.stderr);
  });

  it('asks which workflow to use in a file with several, and takes FILE:NAME', async () => {
    const many = await runCli(['job', 'run', '--workflow=workflows/pipelines.yaml', '--dry-run']);
    assert.equal(many.code, 2);
    assert.match(many.stderr, /holds several workflows: nightly, release/);
    assert.match(many.stderr, /--workflow=workflows\/pipelines\.yaml:nightly/);
    const one = await runCli([
      'job',
      'run',
      '--workflow=workflows/pipelines.yaml:release',
      '--dry-run',
    ]);
    assert.equal(one.code, 0, one.stderr);
    assert.match(
      one.stdout,
      /Workflow 'release: Release' \(workflows\/pipelines\.yaml\): 2 jobs in 2 waves/,
    );
  });

  it('names the missing network, how to create it and the ones that exist', async () => {
    const r = await runCli(['job', 'run', '--workflow=workflows/microservices.yaml', '--dry-run']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /error missing-network: network 'backend' does not exist/);
    assert.match(r.stderr, /rnx network create backend --cidr=CIDR/);
    assert.match(r.stderr, /existing networks: bridge, isolated, none/);
  });

  it('without --dry-run validates, then runs the workflow with the engine', async () => {
    const r = await runCli(['job', 'run', '--workflow=workflows/diamond.yaml']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^OK: All required networks exist$/m);
    assert.match(r.stdout, /^workflow diamond COMPLETED in .* exit 0$/m);
  });
});

describe('rnx workflow validate', () => {
  it('checks several files, reports each, and exits 2 when one is invalid', async () => {
    const bad = file('typo.yaml', 'jobs:\n  a:\n    command: x\n    netwrok: bridge\n');
    const r = await runCli(['workflow', 'validate', '--quiet', 'workflows/diamond.yaml', bad]);
    assert.equal(r.code, 2);
    assert.match(r.stdout, /^workflows\/diamond\.yaml: valid \(4 jobs\)$/m);
    assert.match(r.stdout, /typo\.yaml: invalid \(1 error\)$/m);
    assert.match(
      r.stderr,
      /typo\.yaml:4:5 error unknown-key: unknown key 'netwrok' in job 'a'; did you mean 'network'\?/,
    );
  });

  it('exits 0 when every file is valid, checking every workflow of a multi-workflow file', async () => {
    const r = await runCli([
      'workflow',
      'validate',
      'workflows/diamond.yaml',
      'workflows/cleanup-on-failure.yaml',
      'workflows/pipelines.yaml',
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^workflows\/pipelines\.yaml: valid \(2 workflows, 4 jobs\)$/m);
    assert.match(r.stdout, /Workflow 'nightly: Nightly checks'/);
  });

  it("can lint without this host's networks (--skip-environment) and speaks JSON", async () => {
    const r = await runCli([
      'workflow',
      'validate',
      '--json',
      '--skip-environment',
      'workflows/microservices.yaml',
    ]);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as {
      valid: boolean;
      files: { file: string; valid: boolean }[];
    };
    assert.deepEqual(out, { ...out, valid: true });
    assert.deepEqual(
      out.files.map((f) => [f.file, f.valid]),
      [['workflows/microservices.yaml', true]],
    );
  });

  it('needs at least one file', async () => {
    const r = await runCli(['workflow', 'validate']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /name at least one workflow file/);
  });
});

describe('rnx workflow graph', () => {
  it('prints mermaid by default and dot on request', async () => {
    const m = await runCli(['workflow', 'graph', 'workflows/cleanup-on-failure.yaml']);
    assert.equal(m.code, 0, m.stderr);
    assert.match(m.stdout, /^flowchart TD\n/);
    assert.match(m.stdout, /j0 -->\|FAILED\| j1/);
    const d = await runCli([
      'workflow',
      'graph',
      '--format=dot',
      'workflows/cleanup-on-failure.yaml',
    ]);
    assert.equal(d.code, 0, d.stderr);
    assert.match(d.stdout, /"build" -> "cleanup" \[label="FAILED"\];/);
  });

  it('refuses an unknown format and an ambiguous multi-workflow file with exit 2', async () => {
    const f = await runCli(['workflow', 'graph', '--format=svg', 'workflows/diamond.yaml']);
    assert.equal(f.code, 2);
    assert.match(f.stderr, /unknown format 'svg'/);
    const m = await runCli(['workflow', 'graph', 'workflows/pipelines.yaml']);
    assert.equal(m.code, 2);
    assert.match(m.stderr, /holds several workflows: nightly, release/);
  });

  it('documents itself and the exit codes in --help', async () => {
    const r = await runCli(['workflow', 'graph', '--help']);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /--format=FORMAT/);
    assert.match(r.stdout, /Exit codes:/);
  });
});
