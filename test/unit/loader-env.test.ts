/** The environment variables a job may not set (src/loader-env.ts), on literal names. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkJobEnvNames, loaderVariable } from '../../src/loader-env.js';

describe("the loader's variables", () => {
  it('are every LD_ name and the few of glibc and bash that load or write files', () => {
    for (const name of ['LD_PRELOAD', 'LD_LIBRARY_PATH', 'LD_AUDIT', 'LD_DEBUG_OUTPUT']) {
      assert.equal(loaderVariable(name), true, name);
    }
    for (const name of ['GCONV_PATH', 'GLIBC_TUNABLES', 'MALLOC_TRACE', 'BASH_ENV']) {
      assert.equal(loaderVariable(name), true, name);
    }
    for (const name of ['LD', 'OLD_PRELOAD', 'ld_preload', 'PATH', 'TMPDIR', 'LANG', 'HOME']) {
      assert.equal(loaderVariable(name), false, name);
    }
  });

  it('are refused as env-unsafe, naming the first one, with what to do instead', () => {
    assert.deepEqual(checkJobEnvNames(['PATH', 'A']), { ok: true, value: undefined });
    const refused = checkJobEnvNames(['A', 'LD_PRELOAD', 'GCONV_PATH']);
    assert.equal(refused.ok, false);
    if (refused.ok) return;
    assert.equal(refused.problem.code, 'env-unsafe');
    assert.match(refused.problem.message, /^'LD_PRELOAD' cannot be set in a job's environment/);
    assert.match(refused.problem.hint ?? '', /sh -c 'LD_PRELOAD=\/work\/x\.so exec CMD'/);
  });
});
