import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { stripVTControlCharacters } from 'node:util';
import type { EngineEvent } from '../../src/engine/events.js';
import { createReporter } from '../../src/cli/reporters/reporter.js';
import { LiveReporter } from '../../src/cli/reporters/live-reporter.js';

class Sink extends Writable {
  text = '';
  columns = 100;
  override _write(chunk: Buffer, _enc: string, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

const at = (s: number): string => new Date(Date.UTC(2026, 0, 1, 12, 0, s)).toISOString();

const EVENTS: EngineEvent[] = [
  {
    event: 'workflow-started',
    at: at(0),
    runId: 'wr-test',
    workflow: 'demo',
    file: 'demo.yaml',
    concurrency: 2,
    jobs: [
      { job: 'db', network: 'backend', requires: [] },
      {
        job: 'api-service',
        network: 'backend',
        requires: [{ job: 'db', condition: 'RUNNING' }],
      },
      { job: 'web', network: 'none', requires: [{ job: 'api-service', condition: 'COMPLETED' }] },
    ],
  },
  {
    event: 'job-started',
    at: at(0),
    job: 'db',
    jobId: 'j1',
    attempt: 1,
    pid: 41,
    network: 'backend',
    address: '10.30.0.2',
  },
  {
    event: 'job-started',
    at: at(1),
    job: 'api-service',
    jobId: 'j2',
    attempt: 1,
    pid: 42,
    network: 'backend',
    address: '10.30.0.3',
  },
  {
    event: 'job-output',
    at: at(1),
    job: 'db',
    jobId: 'j1',
    stream: 'stderr',
    data: Buffer.from('GET / 200\n'),
  },
  {
    event: 'job-output',
    at: at(2),
    job: 'api-service',
    jobId: 'j2',
    stream: 'stdout',
    data: Buffer.from('got 200\n'),
  },
  {
    event: 'job-finished',
    at: at(3),
    job: 'api-service',
    jobId: 'j2',
    attempt: 1,
    status: 'FAILED',
    reason: 'exit',
    exitCode: 7,
    signal: null,
    durationMs: 2000,
  },
  { event: 'job-stopping', at: at(3), job: 'db', cause: 'no job left needs it' },
  {
    event: 'job-canceled',
    at: at(3),
    job: 'web',
    cause: 'requires api-service: COMPLETED, but api-service ended FAILED',
  },
  {
    event: 'job-finished',
    at: at(4),
    job: 'db',
    jobId: 'j1',
    attempt: 1,
    status: 'STOPPED',
    reason: 'stopped',
    exitCode: null,
    signal: 'SIGTERM',
    durationMs: 4000,
  },
  {
    event: 'workflow-finished',
    at: at(4),
    runId: 'wr-test',
    status: 'FAILED',
    exitCode: 1,
    durationMs: 4000,
    jobs: [
      {
        job: 'db',
        status: 'STOPPED',
        reason: 'stopped',
        exitCode: null,
        durationMs: 4000,
        network: 'backend',
        address: '10.30.0.2',
        attempts: 1,
      },
      {
        job: 'api-service',
        status: 'FAILED',
        reason: 'exit',
        exitCode: 7,
        durationMs: 2000,
        network: 'backend',
        address: '10.30.0.3',
        attempts: 1,
      },
      {
        job: 'web',
        status: 'CANCELED',
        reason: 'canceled',
        exitCode: null,
        durationMs: null,
        network: 'none',
        attempts: 0,
      },
    ],
  },
];

function report(json: boolean, fancy: boolean): string {
  const sink = new Sink();
  const reporter = createReporter(sink, { json, fancy });
  for (const event of EVENTS) reporter.onEvent(event);
  reporter.close();
  return sink.text;
}

describe('reporters', () => {
  it('--json prints every event as one JSON object per line, output one object per line', () => {
    const lines = report(true, false).trimEnd().split('\n');
    assert.equal(lines.length, EVENTS.length);
    assert.deepEqual(
      lines.map((l) => JSON.parse(l) as unknown),
      EVENTS.map((e) => {
        if (e.event !== 'job-output') return e;
        const { data, ...rest } = e;
        return { ...rest, line: data.toString().slice(0, -1) };
      }),
    );
  });

  it('--json splits a batch of output lines into one object per line, in order', () => {
    const sink = new Sink();
    const reporter = createReporter(sink, { json: true, fancy: false });
    const lines = ['first', '', 'with "quotes" and \\ and \t', 'last'];
    reporter.onEvent({
      event: 'job-output',
      at: at(1),
      job: 'db',
      jobId: 'j1',
      stream: 'stdout',
      data: Buffer.from(lines.map((line) => `${line}\n`).join('')),
    });
    const objects = sink.text
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as unknown);
    assert.deepEqual(
      objects,
      lines.map((line) => ({
        event: 'job-output',
        at: at(1),
        job: 'db',
        jobId: 'j1',
        stream: 'stdout',
        line,
      })),
    );
  });

  it('plain text prefixes every line of a batch of output, and nothing else', () => {
    const sink = new Sink();
    const reporter = createReporter(sink, { json: false, fancy: false });
    const started = EVENTS[0];
    assert.ok(started !== undefined);
    reporter.onEvent(started);
    reporter.onEvent({
      event: 'job-output',
      at: at(1),
      job: 'db',
      jobId: 'j1',
      stream: 'stdout',
      data: Buffer.from('one\n\nthree | with a bar\n'),
    });
    reporter.onEvent({
      event: 'job-output',
      at: at(1),
      job: 'web',
      jobId: 'j3',
      stream: 'stderr',
      data: Buffer.from('x\n'),
    });
    const printed = sink.text.split('\n').slice(1);
    assert.deepEqual(printed, [
      'db          | one',
      'db          | ',
      'db          | three | with a bar',
      'web         | x',
      '',
    ]);
  });

  it('plain text prefixes job output with the padded job name, like docker compose', () => {
    const text = report(false, false);
    assert.ok(text.includes('\ndb          | GET / 200\n'));
    assert.match(text, /^api-service \| got 200$/m);
    assert.match(text, /^api-service: FAILED, exit 7, 2\.00s$/m);
    assert.match(
      text,
      /^web: CANCELED: requires api-service: COMPLETED, but api-service ended FAILED$/m,
    );
    assert.equal(text, stripVTControlCharacters(text), 'no escape codes without a terminal');
  });

  it('ends with a summary table and the workflow status on one line', () => {
    const lines = report(false, false).trimEnd().split('\n');
    assert.deepEqual(lines.slice(-5), [
      'JOB          STATUS    EXIT  DURATION  NETWORK  ADDRESS',
      'db           STOPPED   -     4.00s     backend  10.30.0.2',
      'api-service  FAILED    7     2.00s     backend  10.30.0.3',
      'web          CANCELED  -     -         none     -',
      'workflow demo FAILED in 4.00s (1 stopped, 1 failed, 1 canceled), run wr-test, exit 1',
    ]);
  });

  it('on a terminal colours the output and redraws a board of every job in place', async () => {
    const sink = new Sink();
    const reporter = createReporter(sink, { json: false, fancy: true });
    for (const event of EVENTS) {
      reporter.onEvent(event);
      await new Promise((resolve) => setImmediate(resolve));
    }
    reporter.close();
    const text = sink.text;
    const ESC = String.fromCharCode(27);
    assert.ok(text.includes(`${ESC}[32m`), 'colours');
    assert.ok(text.includes(`${ESC}[4A${ESC}[0J`), 'erases the previous board before redrawing');
    const plain = stripVTControlCharacters(text);
    assert.ok(plain.includes('STOPPED   -     4.00s'), 'the summary table still comes last');
  });

  it('writes a burst of output lines with one redraw of the board', () => {
    const sink = new Sink();
    const live = new LiveReporter(sink);
    for (const event of EVENTS.slice(0, 5)) live.onEvent(event);
    live.close();
    const ESC = String.fromCharCode(27);
    assert.equal(sink.text.split(`${ESC}[0J`).length, 1, 'drawn once, never erased');
    assert.ok(stripVTControlCharacters(sink.text).includes('api-service | got 200'));
  });

  it('shows state, elapsed time, address and a progress count on the board', () => {
    const live = new LiveReporter(new Sink(), () => Date.parse(at(2)));
    for (const event of EVENTS.slice(0, 3)) live.onEvent(event);
    live.close();
    const board = live.boardLines().map((l) => stripVTControlCharacters(l));
    assert.deepEqual(board, [
      ' ▶  db           running      2.00s  10.30.0.2',
      ' ▶  api-service  running      1.00s  10.30.0.3',
      ' ·  web          waiting',
      ' 0/3 done, 2 running, concurrency 2',
    ]);
  });
});
