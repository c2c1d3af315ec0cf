import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import schema from '../../schemas/workflow.schema.json' with { type: 'json' };
import { specFromFlags } from '../../src/cli/job-flags.js';
import { parseProbe, parseStopSignal } from '../../src/cli/service-flags.js';
import { LogMatcher } from '../../src/isolation/readiness/log-matcher.js';
import { STOP_SIGNALS } from '../../src/isolation/end/stop-job.js';
import { catalogOf } from '../../src/validate/host/catalog.js';
import { validateWorkflow } from '../../src/validate/validate-workflow.js';

const flags = (options: Record<string, string | boolean | string[]>) =>
  specFromFlags({ options, positionals: ['true'] }, {});

describe('services: ready and stop settings', () => {
  it('plans ready probes with their defaults and the stop settings', () => {
    const r = validateWorkflow(
      `
jobs:
  db:
    command: postgres
    stop_signal: SIGINT
    stop_grace: 1s
    ready: { exec: [pg_isready, -h, 127.0.0.1], interval: 500ms, timeout: 30s }
  api: { command: api, ready: { tcp: 8080 } }
  web: { command: web, ready: { http: /health } }
  log: { command: log, ready: { log: 'ready to accept' } }
`,
      'w.yaml',
      catalogOf(),
    );
    assert.deepEqual(r.diagnostics, []);
    const [db, api, web, log] = r.plan?.jobs ?? [];
    assert.deepEqual(db?.ready, {
      probe: { kind: 'exec', command: ['pg_isready', '-h', '127.0.0.1'] },
      intervalMs: 500,
      timeoutMs: 30_000,
    });
    assert.equal(db?.stopSignal, 'SIGINT');
    assert.equal(db?.stopGraceMs, 1000);
    assert.deepEqual(api?.ready, {
      probe: { kind: 'tcp', port: 8080 },
      intervalMs: 250,
      timeoutMs: 60_000,
    });
    assert.equal(api?.stopSignal, undefined);
    assert.deepEqual(web?.ready?.probe, { kind: 'http', target: '/health' });
    assert.deepEqual(log?.ready?.probe, { kind: 'log', pattern: 'ready to accept' });
  });

  it('reads --ready, --stop-signal and --stop-grace', () => {
    const spec = flags({
      ready: 'exec:pg_isready -h 127.0.0.1',
      'ready-timeout': '5s',
      'stop-signal': 'int',
      'stop-grace': '1s',
    });
    assert.ok(spec.ok);
    assert.deepEqual(spec.value.ready, {
      probe: { kind: 'exec', command: ['pg_isready', '-h', '127.0.0.1'] },
      intervalMs: 250,
      timeoutMs: 5000,
    });
    assert.equal(spec.value.stopSignal, 'SIGINT');
    assert.equal(spec.value.stopGraceMs, 1000);
  });

  it('parses each kind of probe and refuses bad ones with the flag named', () => {
    assert.deepEqual(parseProbe('tcp:5432'), { ok: true, value: { kind: 'tcp', port: 5432 } });
    assert.deepEqual(parseProbe('http:/health'), {
      ok: true,
      value: { kind: 'http', target: '/health' },
    });
    assert.deepEqual(parseProbe('http://127.0.0.1:8080/up'), {
      ok: true,
      value: { kind: 'http', target: 'http://127.0.0.1:8080/up' },
    });
    assert.deepEqual(parseProbe('log:ready (to|for)'), {
      ok: true,
      value: { kind: 'log', pattern: 'ready (to|for)' },
    });
    const bad = (text: string): string => {
      const r = parseProbe(text);
      assert.ok(!r.ok, text);
      return r.problem.message;
    };
    assert.match(bad('tcp:99999'), /not a port/);
    assert.match(bad('tpc:80'), /unknown probe 'tpc'; did you mean 'tcp'\?/);
    assert.match(bad('http:health'), /a path starts with \//);
    assert.match(bad('log:('), /--ready log:\(/);
    assert.match(bad('exec:'), /no probe after 'exec:'/);
    const lone = flags({ 'ready-timeout': '5s' });
    assert.ok(!lone.ok);
    assert.match(lone.problem.message, /need --ready/);
  });

  it('knows the same stop signals as the schema, and suggests the near miss', () => {
    const defs = schema.$defs as unknown as Record<string, { enum?: string[] }>;
    assert.deepEqual(defs['signal']?.enum, STOP_SIGNALS);
    const r = parseStopSignal('SIGTREM');
    assert.ok(!r.ok);
    assert.match(r.problem.message, /did you mean 'SIGTERM'\?/);
  });

  it('matches log lines across chunks and streams, once', () => {
    const m = new LogMatcher('ready to accept connections');
    const seen: string[] = [];
    m.whenMatched((line) => seen.push(line));
    m.push('stdout', Buffer.from('starting\nLOG:  database system is rea'));
    m.push('stderr', Buffer.from('dy to accept connections\n'));
    assert.deepEqual(seen, [], 'each stream is split on its own');
    m.push('stdout', Buffer.from('dy to accept connections\r\nmore\n'));
    m.push('stdout', Buffer.from('ready to accept connections\n'));
    assert.deepEqual(seen, ['LOG:  database system is ready to accept connections']);
    assert.equal(m.matched, seen[0]);
  });
});
