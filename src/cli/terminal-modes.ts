/**
 * `rnx job run -i` on a terminal: the job reads rnx's own terminal, and a program there may
 * change its modes (Python's prompt, psql: no echo, no line editing by the terminal). One that is
 * stopped (Ctrl-C, a timeout) cannot put them back, so rnx saves them before the job (`stty -g`)
 * and restores them after it, whatever its end. Two `stty` processes, for -i on a terminal only.
 */
import { spawnProcess } from '../exec.js';

function stty(fd: number, args: readonly string[]): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawnProcess('stty', args, { stdio: [fd, 'pipe', 'ignore'] });
    let out = '';
    child.stdout?.setEncoding('utf8').on('data', (text: string) => (out += text));
    child.on('error', () => resolve({ code: null, out: '' }));
    child.on('close', (code) => resolve({ code, out: out.trim() }));
  });
}

/** Saves the terminal's modes; returns a function that restores them (a no-op when unknown). */
export async function keepTerminalModes(fd: number): Promise<() => Promise<void>> {
  const saved = await stty(fd, ['-g']);
  if (saved.code !== 0 || saved.out === '') return () => Promise.resolve();
  return async () => {
    await stty(fd, [saved.out]);
  };
}
