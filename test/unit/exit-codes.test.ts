import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { EXIT_MEANINGS, exitCodeFor } from '../../src/cli/exit-codes.js';
import { problemCodes, problemKind, type ProblemKind } from '../../src/problem.js';
import { REPO_ROOT } from '../helpers/cli.js';

const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
const section = readme.slice(
  readme.indexOf('<!-- section:exit-codes -->'),
  readme.indexOf('<!-- /section:exit-codes -->'),
);

describe('exit codes', () => {
  it('the README lists every exit code with the meaning rnx --help gives', () => {
    for (const [code, meaning] of EXIT_MEANINGS) {
      assert.ok(section.includes(`| ${String(code)} | ${meaning} |`), `README row for ${code}`);
    }
  });

  it("the README's kind table gives each kind the exit code the CLI uses, with real examples", () => {
    const rows = [...section.matchAll(/^\| `([a-z-]+)` \| (\d+) \| (.*) \|$/gm)];
    const kinds = new Set(problemCodes().map(([, kind]) => kind));
    assert.deepEqual(new Set(rows.map((r) => r[1])), kinds);
    for (const [, kind = '', exit = '', examples = ''] of rows) {
      for (const example of examples.matchAll(/`([a-z-]+)`/g)) {
        const code = problemCodes().find(([c]) => c === example[1]);
        assert.ok(code, `${example[1] ?? ''} is a problem code`);
        assert.equal(code[1], kind as ProblemKind, `${code[0]} is of kind ${kind}`);
        assert.equal(exitCodeFor({ code: code[0], message: '' }), Number(exit));
      }
    }
  });

  it('maps kinds, not code strings: a host code exits 3, a missing name 1, a refusal 2', () => {
    assert.equal(exitCodeFor({ code: 'tool-missing', message: '' }), 3);
    assert.equal(exitCodeFor({ code: 'volume-not-found', message: '' }), 1);
    assert.equal(exitCodeFor({ code: 'network-in-use', message: '' }), 2);
    assert.equal(problemKind('host-cgroup'), 'host');
  });
});
