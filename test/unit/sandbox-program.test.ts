/** Which program sets jobs up (src/isolation/sandbox/sandbox-program.ts), on literal input. */
import assert from 'node:assert/strict';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import {
  builtSandboxPath,
  chooseSandbox,
  unusableBecause,
} from '../../src/isolation/sandbox/sandbox-program.js';
import { tempDir } from '../helpers/cli.js';

const dir = tempDir('rnx-sandbox-program-');
after(() => dir.cleanup());

describe('the sandbox program', () => {
  it('is rnx-sandbox when the built file can run here', () => {
    assert.equal(unusableBecause(builtSandboxPath()), undefined);
    assert.deepEqual(chooseSandbox(''), {
      ok: true,
      value: { kind: 'rnx-sandbox', path: builtSandboxPath() },
    });
  });

  it('is bwrap, saying why, on a kernel without mount_setattr or for another architecture', () => {
    assert.match(unusableBecause(builtSandboxPath(), false, '5.11.22-amd64') ?? '', /5\.12/);
    assert.equal(unusableBecause(builtSandboxPath(), false, '5.12.0'), undefined);
    assert.equal(unusableBecause(builtSandboxPath(), false, '6.1.0-13-amd64'), undefined);
    const other = process.arch === 'arm64' ? 'x64' : 'arm64';
    assert.match(
      unusableBecause(builtSandboxPath(), false, '6.1.0', other) ?? '',
      /another architecture/,
    );
  });

  it('refuses a missing file or one that is not an ELF executable', () => {
    assert.match(unusableBecause(join(dir.dir, 'none')) ?? '', /missing/);
    const script = join(dir.dir, 'wrapper');
    writeFileSync(script, '#!/bin/sh\nexec true\n');
    assert.match(unusableBecause(script) ?? '', /not executable/);
    assert.match(unusableBecause(script, true) ?? '', /not executable/);
    chmodSync(script, 0o755);
    assert.match(unusableBecause(script) ?? '', /not an executable \(ELF\)/);
    // Named in RNX_SANDBOX it need only be executable: a wrapper that execs rnx-sandbox.
    assert.equal(unusableBecause(script, true), undefined);
    assert.deepEqual(chooseSandbox(script), {
      ok: true,
      value: { kind: 'rnx-sandbox', path: script },
    });
  });

  it('follows RNX_SANDBOX: bwrap, rnx-sandbox, a path; anything else is a usage problem', () => {
    assert.deepEqual(chooseSandbox('bwrap'), {
      ok: true,
      value: { kind: 'bwrap', why: 'RNX_SANDBOX=bwrap' },
    });
    assert.equal(chooseSandbox('rnx-sandbox').ok, true);
    const wrong = chooseSandbox('docker');
    assert.equal(wrong.ok, false);
    assert.equal(wrong.ok ? '' : wrong.problem.code, 'usage');
    const missing = chooseSandbox(join(dir.dir, 'absent'));
    assert.equal(missing.ok ? '' : missing.problem.code, 'host-missing');
  });
});

describe('the built rnx-sandbox', () => {
  it('is linked statically: no dynamic loader to honour an LD_PRELOAD a workflow sets', () => {
    const elf = readFileSync(builtSandboxPath());
    const phoff = Number(elf.readBigUInt64LE(32));
    const phentsize = elf.readUInt16LE(54);
    const types = Array.from({ length: elf.readUInt16LE(56) }, (_, i) =>
      elf.readUInt32LE(phoff + i * phentsize),
    );
    assert.ok(types.length > 0);
    const PT_INTERP = 3;
    assert.ok(!types.includes(PT_INTERP), 'it names a dynamic loader');
  });
});
