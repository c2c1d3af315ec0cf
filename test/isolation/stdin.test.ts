/**
 * A foreground job reads rnx's standard input when it is not a terminal (`echo hi | rnx job run
 * cat`), handed over as the same pipe; a terminal only with -i (rnx run under `script`, which
 * gives it a pseudo-terminal and types what the test pipes in); workflow jobs keep /dev/null.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { RNX_BIN, runCli, tempDir } from '../helpers/cli.js';

const state = tempDir();
after(() => state.cleanup());

const quote = (arg: string): string => `'${arg.replaceAll("'", `'\\''`)}'`;

/** A shell line running `rnx job run FLAGS --network=none sh -c JOB`. */
function rnxLine(flags: readonly string[], job: string): string {
  return [process.execPath, RNX_BIN, 'job', 'run', ...flags, '--network=none', 'sh', '-c', job]
    .map(quote)
    .join(' ');
}

/** Runs a shell line on a new pseudo-terminal (script(1)), which types `input` into it. */
function inTerminal(line: string, input: string): Promise<{ code: number | null; stdout: string }> {
  return new Promise((resolve) => {
    const child = execFile(
      'script',
      ['-qec', line, '/dev/null'],
      { env: { ...process.env, RNX_STATE_DIR: state.dir, NO_COLOR: '1' }, timeout: 60_000 },
      (error, stdout) => {
        resolve({ code: error === null ? 0 : (error.code as number), stdout });
      },
    );
    child.stdin?.end(input);
  });
}

describe('standard input', () => {
  it('forwards piped input to a foreground job, to its end', async () => {
    const lines = Array.from({ length: 2000 }, (_, i) => `line ${String(i)}`).join('\n') + '\n';
    const r = await runCli(['job', 'run', '--network=none', 'wc', '-l'], {
      stateDir: state.dir,
      input: lines,
    });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim(), '2000');
    const cat = await runCli(['job', 'run', '--network=none', 'cat'], {
      stateDir: state.dir,
      input: 'hi\n',
    });
    assert.equal(cat.stdout, 'hi\n');
  });

  it('hands the job the very pipe rnx reads: a fifo when a shell pipes into rnx', async () => {
    const shell = `printf x | '${process.execPath}' '${RNX_BIN}' job run --network=none stat -L -c %F /dev/stdin`;
    const r = await new Promise<{ code: number | null; stdout: string; stderr: string }>(
      (resolve) => {
        execFile(
          'sh',
          ['-c', shell],
          { env: { ...process.env, RNX_STATE_DIR: state.dir, NO_COLOR: '1' } },
          (error, stdout, stderr) => {
            resolve({ code: error === null ? 0 : (error.code as number), stdout, stderr });
          },
        );
      },
    );
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'fifo\n');
  });

  it('forwards a terminal with -i only: the job reads the very terminal rnx has', async () => {
    const job = 'read line; echo "got:$line"; test -t 0 && echo "stdin is a terminal"';
    const interactive = await inTerminal(rnxLine(['-i'], job), 'typed line\n');
    assert.equal(interactive.code, 0, interactive.stdout);
    assert.match(interactive.stdout, /got:typed line\r?\n/);
    assert.match(interactive.stdout, /stdin is a terminal/);
    // Without -i the job reads /dev/null: the line typed into the terminal never reaches it.
    const plain = await inTerminal(rnxLine([], job), 'typed line\n');
    assert.equal(plain.code, 1, plain.stdout);
    assert.match(plain.stdout, /got:\r?\n/);
    assert.doesNotMatch(plain.stdout, /got:typed/);
  });

  it('gives the terminal its modes back after an -i job changed them and was stopped', async () => {
    const modes = "; stty -a | grep -o -- '-\\?icanon\\|-\\?echo '";
    const changed = 'stty -echo -icanon; sleep 30';
    const after = await inTerminal(rnxLine(['-i', '--timeout=1s'], changed) + modes, '');
    assert.match(after.stdout, /timed out/);
    assert.match(after.stdout, /^icanon\r?$/m);
    assert.match(after.stdout, /^echo \r?$/m);
    // The same change with no rnx around it stays: what the check above would see unrestored.
    const bare = await inTerminal(`sh -c 'stty -echo -icanon'${modes}`, '');
    assert.match(bare.stdout, /^-icanon\r?$/m);
  });

  it('refuses -i with --detach and with --workflow (exit 2)', async () => {
    const detached = await runCli(['job', 'run', '-d', '-i', '--network=none', 'cat'], {
      stateDir: state.dir,
    });
    assert.equal(detached.code, 2);
    assert.match(detached.stderr, /--interactive does not work with --detach/);
    const workflow = await runCli(['job', 'run', '-i', '--workflow=x.yaml'], {
      stateDir: state.dir,
    });
    assert.equal(workflow.code, 2);
    assert.match(workflow.stderr, /--interactive applies to one command, not to --workflow/);
  });

  it('gives workflow jobs /dev/null, whatever rnx reads', async () => {
    const file = join(state.dir, 'stdin-workflow.yaml');
    writeFileSync(
      file,
      [
        'name: stdin',
        'jobs:',
        '  reader:',
        '    command: sh',
        "    args: ['-c', 'cat; echo end']",
        '',
      ].join('\n'),
    );
    const r = await runCli(['job', 'run', `--workflow=${file}`], {
      stateDir: state.dir,
      input: 'secret input\n',
    });
    assert.equal(r.code, 0, r.stderr);
    assert.doesNotMatch(r.stdout, /secret input/);
    assert.match(r.stdout, /end/);
  });
});
