import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseArgs, type OptionSpecs } from '../../src/cli/args.js';

const specs: OptionSpecs = {
  network: { type: 'string', description: 'network' },
  env: { type: 'string', short: 'e', multiple: true, description: 'env' },
  json: { type: 'boolean', description: 'json' },
};

describe('parseArgs', () => {
  it('reads --flag=value, --flag value, short and repeated flags', () => {
    const r = parseArgs(['--network=app', '-e', 'A=1', '-eB=2', '--json', 'x'], specs);
    assert.ok(r.ok);
    assert.deepEqual({ ...r.value.options }, { network: 'app', env: ['A=1', 'B=2'], json: true });
    assert.deepEqual(r.value.positionals, ['x']);
  });

  it('passes everything from the first positional on verbatim when told to', () => {
    const r = parseArgs(['--json', 'bash', '-c', 'echo --json'], specs, { stopAtPositional: true });
    assert.ok(r.ok);
    assert.deepEqual(r.value.positionals, ['bash', '-c', 'echo --json']);
  });

  it('ends flag parsing at --', () => {
    const r = parseArgs(['--', '--json'], specs);
    assert.ok(r.ok);
    assert.deepEqual(r.value.positionals, ['--json']);
  });

  it('refuses an unknown flag and suggests the closest one', () => {
    const r = parseArgs(['--netwrok=app'], specs);
    assert.ok(!r.ok);
    assert.equal(r.problem.message, "unknown flag '--netwrok'");
    assert.equal(r.problem.hint, "did you mean '--network'?");
  });

  it('refuses a string flag with no value', () => {
    const r = parseArgs(['--network'], specs);
    assert.ok(!r.ok);
    assert.equal(r.problem.message, '--network needs a value');
  });
});
