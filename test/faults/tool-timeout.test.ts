/**
 * A host tool that hangs cannot hold rnx: runTool kills it (and what it started) at its time and
 * returns `tool-timeout` naming the tool and the time. The tool is a fake `ip` first on PATH that
 * the test controls: it records its pid and its child's, then waits forever.
 */
import assert from 'node:assert/strict';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { runTool } from '../../src/exec.js';
import { problemKind } from '../../src/problem.js';
import { tempDir } from '../helpers/cli.js';

const tmp = tempDir('rnx-hung-');
after(() => tmp.cleanup());

/** Dead: no such process, or killed and waiting for its parent to reap it. */
function dead(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${String(pid)}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return true;
  }
}

describe('a host tool that hangs', () => {
  it('is killed with its child at its time: tool-timeout naming the tool and the time', async () => {
    const fake = join(tmp.dir, 'ip');
    writeFileSync(
      fake,
      `#!/bin/sh\necho $$ > ${tmp.dir}/tool.pid\nsleep 600 &\necho $! > ${tmp.dir}/child.pid\nwait\n`,
    );
    chmodSync(fake, 0o755);
    const path = process.env['PATH'];
    process.env['PATH'] = `${tmp.dir}:${path ?? ''}`;
    try {
      const result = await runTool('ip', ['link', 'show'], { timeoutMs: 3000 });
      assert.ok(!result.ok, 'a hung tool is a problem');
      assert.equal(result.problem.code, 'tool-timeout');
      assert.equal(problemKind(result.problem.code), 'failed');
      assert.equal(result.problem.message, `'ip link show' did not finish within 3s: killed`);
      assert.ok(existsSync(join(tmp.dir, 'child.pid')), 'the fake tool started its child in time');
      for (const file of ['tool.pid', 'child.pid']) {
        const pid = Number(readFileSync(join(tmp.dir, file), 'utf8'));
        assert.ok(pid > 0 && dead(pid), `${file} (${String(pid)}) is not running`);
      }
    } finally {
      process.env['PATH'] = path;
    }
  });
});
