import assert from 'node:assert/strict';
import { PassThrough, Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { OutputFlow } from '../../src/isolation/output/output-flow.js';

/** A place to write whose writes complete only when the test says so. */
function heldSink(): { sink: Writable; complete: () => void } {
  const waiting: (() => void)[] = [];
  const sink = new Writable({
    highWaterMark: 4,
    write(_chunk, _encoding, callback) {
      waiting.push(callback);
    },
  });
  return { sink, complete: () => waiting.splice(0).forEach((callback) => callback()) };
}

/** A flowing reader, as a job's pipe is read (a `data` listener). */
function flowingReader(): PassThrough {
  const reader = new PassThrough();
  reader.on('data', () => undefined);
  return reader;
}

describe('output back-pressure (OutputFlow)', () => {
  it('pauses the readers while a sink waits to drain, and resumes them after', async () => {
    const flow = new OutputFlow();
    const reader = flowingReader();
    flow.follow(reader);
    const { sink, complete } = heldSink();
    sink.write('ab');
    flow.wrote(sink);
    assert.equal(reader.isPaused(), false, 'a write under the high-water mark holds nothing');
    sink.write('cdefgh');
    flow.wrote(sink);
    assert.equal(reader.isPaused(), true);
    assert.equal(flow.held, true);
    const drained = new Promise((resolve) => sink.once('drain', resolve));
    complete();
    await new Promise((resolve) => setImmediate(resolve));
    complete();
    await drained;
    assert.equal(flow.held, false);
    assert.equal(reader.isPaused(), false);
  });

  it('waits for every full sink, and pauses a reader that comes while held', async () => {
    const flow = new OutputFlow();
    const out = heldSink();
    const err = heldSink();
    out.sink.write('0123456789');
    flow.wrote(out.sink);
    err.sink.write('0123456789');
    flow.wrote(err.sink);
    const late = flowingReader();
    flow.follow(late);
    assert.equal(late.isPaused(), true);
    const outDrained = new Promise((resolve) => out.sink.once('drain', resolve));
    out.complete();
    await outDrained;
    assert.equal(late.isPaused(), true, 'stderr is still full');
    const errDrained = new Promise((resolve) => err.sink.once('drain', resolve));
    err.complete();
    await errDrained;
    assert.equal(late.isPaused(), false);
  });

  it('lets go when a full sink fails or closes (nobody then waits on it)', () => {
    const flow = new OutputFlow();
    const reader = flowingReader();
    flow.follow(reader);
    const { sink } = heldSink();
    sink.on('error', () => undefined);
    sink.write('0123456789');
    flow.wrote(sink);
    assert.equal(reader.isPaused(), true);
    sink.emit('error', new Error('EPIPE'));
    assert.equal(reader.isPaused(), false);
    assert.equal(flow.held, false);
  });

  it('forgets a reader once it closed', async () => {
    const flow = new OutputFlow();
    const reader = flowingReader();
    flow.follow(reader);
    reader.destroy();
    await new Promise((resolve) => reader.once('close', resolve));
    const { sink } = heldSink();
    sink.write('0123456789');
    flow.wrote(sink);
    assert.equal(reader.isPaused(), false, 'a closed reader is not paused again');
  });
});
