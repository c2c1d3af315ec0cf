/** Whole rnx commands under GNU time (Debian package `time`): wall time and peak RSS of each run. */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { REPO_ROOT } from '../test/helpers/cli.js';

const NODE = process.execPath;
const TIME = '/usr/bin/time';

export interface Measured {
  readonly seconds: number;
  readonly peakMb: number;
  readonly code: number | null;
  readonly stdoutBytes: number;
  readonly stderrBytes: number;
}

/** One run of `node ARGS` under GNU time; its report goes to a file, apart from the output. */
export function measure(args: readonly string[], report: string): Measured {
  const r = spawnSync(TIME, ['-o', report, '-f', '%e %M', NODE, ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, NO_COLOR: '1' },
    maxBuffer: 1 << 30,
  });
  if (r.error !== undefined) throw r.error;
  const [seconds = 'NaN', kb = 'NaN'] = (
    readFileSync(report, 'utf8').trim().split('\n').at(-1) ?? ''
  ).split(' ');
  return {
    seconds: Number(seconds),
    peakMb: Number(kb) / 1024,
    code: r.status,
    stdoutBytes: r.stdout.length,
    stderrBytes: r.stderr.length,
  };
}
