/**
 * `rnx workflow export --target=argo` on generated chains of 1,000 to 30,000 jobs (validChain):
 * peak memory (RSS, from GNU time) and wall time, against `rnx workflow validate
 * --skip-environment --quiet` on the same file in the same run (the export validates first). What
 * the export adds is reported per job and against the file's size: it should stay flat as the
 * chain grows (linear memory), a 30,000-job file once ran out of heap.
 *
 *   npm run bench -- argo-export            (ARGO_BENCH_JOBS=1000,4000 for other sizes)
 */
import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RNX_BIN, tempDir } from '../test/helpers/cli.js';
import { validChain } from '../test/helpers/generated-workflows.js';
import { measure } from './gnu-time.js';

const SIZES = (process.env['ARGO_BENCH_JOBS'] ?? '1000,4000,10000,30000').split(',').map(Number);

const tmp = tempDir('rnx-bench-argo-');
try {
  const report = join(tmp.dir, 'time.txt');
  console.log(
    'jobs   file MB  export: s   peak MB  output MB | validate: s  peak MB | added KB/job  added/file',
  );
  for (const jobs of SIZES) {
    const file = join(tmp.dir, `chain-${String(jobs)}.yaml`);
    writeFileSync(file, validChain(jobs));
    const fileMb = statSync(file).size / 1e6;
    const out = measure(
      [RNX_BIN, 'workflow', 'export', '--target=argo', '--image=debian:12', file],
      report,
    );
    if (out.code !== 0)
      throw new Error(`the export of ${String(jobs)} jobs exited ${String(out.code)}`);
    const check = measure(
      [RNX_BIN, 'workflow', 'validate', '--skip-environment', '--quiet', file],
      report,
    );
    if (check.code !== 0)
      throw new Error(`validate of ${String(jobs)} jobs exited ${String(check.code)}`);
    const addedMb = out.peakMb - check.peakMb;
    console.log(
      [
        String(jobs).padStart(5),
        fileMb.toFixed(2).padStart(8),
        out.seconds.toFixed(2).padStart(11),
        out.peakMb.toFixed(0).padStart(9),
        (out.stdoutBytes / 1e6).toFixed(1).padStart(10),
        check.seconds.toFixed(2).padStart(13),
        check.peakMb.toFixed(0).padStart(8),
        ((addedMb * 1024) / jobs).toFixed(1).padStart(14),
        `${(addedMb / fileMb).toFixed(0)}x`.padStart(11),
      ].join(' '),
    );
  }
  console.log(`  node ${process.version}`);
} finally {
  tmp.cleanup();
}
