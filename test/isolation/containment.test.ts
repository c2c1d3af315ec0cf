/** Containment, with the sandbox program rnx uses by default here: rnx-sandbox. */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { sandboxProgram } from '../../src/isolation/sandbox/sandbox-program.js';
import { containmentSuite } from './containment-suite.js';

it('sets jobs up with rnx-sandbox (the build compiled it: this machine has a C compiler)', () => {
  const program = sandboxProgram();
  assert.ok(program.ok);
  assert.equal(program.value.kind, 'rnx-sandbox', JSON.stringify(program.value));
});

containmentSuite('a contained job (rnx-sandbox)', 'rnx-sandbox');
