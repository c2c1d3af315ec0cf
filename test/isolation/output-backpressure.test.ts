/**
 * Back-pressure from where a job's output goes to the job (isolation/output/output-flow.ts): a
 * job printing 4 MB into a place that takes one write every few milliseconds (a clock-driven
 * consumer, as `pv -L` would be) has its writes wait, instead of rnx reading all of it into
 * memory. Without the flow rnx reads the pipe as fast as the job writes, and what the place has
 * not taken yet piles up in its queue (4 MB here).
 */
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { OutputFlow } from '../../src/isolation/output/output-flow.js';
import { run, sh } from './job-rig.js';

const BYTES = 4 * 1024 * 1024;

describe("a job's output and a slow reader of it", () => {
  it('waits for the reader: what rnx holds stays small, and nothing is lost', async () => {
    const waiting: (() => void)[] = [];
    let taken = 0;
    const slow = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        taken += chunk.length;
        waiting.push(callback);
      },
    });
    // One write taken every 2 ms: about 30 MB/s for 64 kB reads, far slower than the job.
    const clock = setInterval(() => waiting.shift()?.(), 2);
    const flow = new OutputFlow();
    let mostQueued = 0;
    try {
      const { result } = await run(sh(`head -c ${String(BYTES)} /dev/zero`), {
        onStdout: (chunk) => {
          slow.write(chunk);
          flow.wrote(slow);
          mostQueued = Math.max(mostQueued, slow.writableLength);
        },
        outputFlow: flow,
      });
      assert.equal(result.status, 'COMPLETED');
      await new Promise<void>((resolve) => slow.end(resolve));
    } finally {
      clearInterval(clock);
    }
    assert.equal(taken, BYTES);
    assert.ok(mostQueued <= 512 * 1024, `rnx queued ${String(mostQueued)} bytes`);
  });
});
