/**
 * rnx's own `ip` (src/networks/ip-session.ts), for real in the test namespace: requests sent at
 * once, a request whose line fails among others, and a program that used it ending by itself.
 * Its requests here make bridges of the test namespace, removed at the end.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { ipBatch } from '../../src/networks/ip-session.js';
import { tempDir } from '../helpers/cli.js';
import { linkNames, requireSandbox, run } from './netns.js';

const SESSION_MODULE = new URL('../../src/networks/ip-session.js', import.meta.url).href;
const LINKS = ['ipst-a', 'ipst-b', 'ipst-c', 'ipst-d', 'ipst-e'];

/** Pids of the `ip -oneline -batch -` sessions running now (every rnx-like process's). */
function sessions(): number[] {
  return readdirSync('/proc')
    .filter((p) => /^\d+$/.test(p))
    .filter((p) => {
      try {
        return readFileSync(`/proc/${p}/cmdline`, 'utf8').endsWith('\0-oneline\0-batch\0-\0');
      } catch {
        return false;
      }
    })
    .map(Number);
}

const scratch = tempDir('rnx-ip-session-');

/** Runs `program` (ESM, importing ipBatch) in a node of its own; its output, once it ended. */
function inProgram(lines: readonly string[], env: NodeJS.ProcessEnv = process.env) {
  const program = [`import { ipBatch } from '${SESSION_MODULE}';`, ...lines].join('\n');
  return spawnSync(process.execPath, ['--input-type=module', '-e', program], {
    encoding: 'utf8',
    timeout: 20_000,
    env,
  });
}

describe("rnx's own ip", () => {
  before(requireSandbox);
  after(async () => {
    scratch.cleanup();
    const present = await linkNames();
    for (const link of LINKS) if (present.includes(link)) await run('ip', ['link', 'del', link]);
  });

  it('answers requests sent at once, each once its link exists', async () => {
    const names = ['ipst-a', 'ipst-b', 'ipst-c'];
    const results = await Promise.all(
      names.map((name) => ipBatch(`link add name ${name} type bridge`, name)),
    );
    for (const r of results) assert.ok(r.ok, r.ok ? '' : r.problem.message);
    const present = await linkNames();
    for (const name of names) assert.ok(present.includes(name), name);
  });

  it('fails the request whose line failed, with ip’s reason, and runs the ones sent after it', async () => {
    const [again, next] = await Promise.all([
      ipBatch('link add name ipst-a type bridge', 'ipst-a'),
      ipBatch('link add name ipst-d type bridge', 'ipst-d'),
    ]);
    assert.equal(again.ok, false);
    if (!again.ok) {
      assert.equal(again.problem.code, 'tool-failed');
      assert.match(again.problem.message, /^ip -batch: ./);
    }
    assert.ok(next.ok, next.ok ? '' : next.problem.message);
    assert.ok((await linkNames()).includes('ipst-d'));
  });

  it('keeps no program alive, and answers it: one that used it ends by itself, and its ip with it', async () => {
    const before = sessions();
    const child = inProgram([
      // A failed request is answered by ip's exit, which may come after the end of its output.
      "const failed = await ipBatch('link add name ipst-a type bridge', 'ipst-a');",
      "const made = await ipBatch('link add name ipst-e type bridge', 'ipst-e');",
      'process.stdout.write(`${String(failed.ok)} ${String(made.ok)}`);',
    ]);
    assert.equal(child.status, 0, child.stderr);
    assert.equal(child.stdout, 'false true');
    assert.ok((await linkNames()).includes('ipst-e'));
    // Its ip reads the end of its input once the program is gone.
    for (let i = 0; i < 500 && sessions().some((pid) => !before.includes(pid)); i++) {
      await sleep(10);
    }
    assert.deepEqual(
      sessions().filter((pid) => !before.includes(pid)),
      [],
    );
  });

  it('kills an ip that does not answer in time: the request fails with tool-timeout', () => {
    // An `ip` first on PATH that never answers (it reads its input and sleeps).
    const bin = join(scratch.dir, 'bin');
    mkdirSync(bin, { recursive: true });
    writeFileSync(join(bin, 'ip'), '#!/bin/sh\nexec sleep 600\n');
    chmodSync(join(bin, 'ip'), 0o755);
    const began = Date.now();
    const child = inProgram(
      [
        "const r = await ipBatch('link add name ipst-f type bridge', 'ipst-f', { timeoutMs: 300 });",
        'process.stdout.write(r.ok ? "ok" : `${r.problem.code}: ${r.problem.message}`);',
      ],
      { ...process.env, PATH: `${bin}:${process.env['PATH'] ?? ''}` },
    );
    assert.equal(child.status, 0, child.stderr);
    assert.match(child.stdout, /^tool-timeout: 'ip -batch' did not finish within 300 ms/);
    assert.ok(Date.now() - began < 15_000);
  });
});
