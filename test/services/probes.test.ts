/**
 * Readiness probes and service lifetime on real servers inside real jobs: a Python HTTP server
 * probed by tcp and by http, a log line, an exec probe that sees the job's own /tmp; a probe that
 * never passes, a service that dies before it is ready, and a service kept for a job downstream.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync, readlinkSync, realpathSync } from 'node:fs';
import { after, describe, it } from 'node:test';
import type { JsonEvent } from '../../src/engine/events.js';
import { childrenOf } from '../../src/process-tree.js';
import { collectRun, REPO_ROOT, RNX_BIN, tempDir } from '../helpers/cli.js';
import { outputOf, runWorkflowJson, writeWorkflow } from '../helpers/workflow.js';

const state = tempDir();
const files = tempDir('rnx-wf-');
after(() => {
  state.cleanup();
  files.cleanup();
});

function statuses(events: readonly JsonEvent[]): Record<string, string> {
  const finished = events.find((e) => e.event === 'workflow-finished');
  assert.ok(finished?.event === 'workflow-finished');
  return Object.fromEntries(finished.jobs.map((j) => [j.job, j.status]));
}

function indexOf(events: readonly JsonEvent[], event: string, job: string): number {
  return events.findIndex((e) => e.event === event && 'job' in e && e.job === job);
}

const SERVER = `python3 -m http.server`;

describe('readiness probes on real servers', () => {
  it('tcp: a client requiring the server RUNNING connects on its first try', async () => {
    const file = writeWorkflow(
      files.dir,
      'tcp',
      `jobs:
  web:
    command: sh
    args: ['-c', 'sleep 0.5; exec ${SERVER} 8000']
    ready: { tcp: 8000, interval: 100ms }
  client:
    command: python3
    args: ['-c', 'import urllib.request; print(urllib.request.urlopen("http://web:8000/").status)']
    requires: [web: RUNNING]
  report:
    command: python3
    args: ['-c', 'import urllib.request; print("still", urllib.request.urlopen("http://web:8000/").status)']
    requires: [client: COMPLETED]
`,
    );
    const r = await runWorkflowJson(file, state.dir);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(indexOf(r.events, 'job-ready', 'web') !== -1, 'web became ready');
    assert.ok(
      indexOf(r.events, 'job-ready', 'web') < indexOf(r.events, 'job-started', 'client'),
      'client started only after web was ready',
    );
    assert.deepEqual(outputOf(r.events, 'client'), ['200']);
    // report needs only client, yet web is kept for it: it is downstream of web.
    assert.deepEqual(outputOf(r.events, 'report'), ['still 200']);
    assert.deepEqual(statuses(r.events), {
      web: 'STOPPED',
      client: 'COMPLETED',
      report: 'COMPLETED',
    });
    const stopping = r.events.find((e) => e.event === 'job-stopping' && e.job === 'web');
    assert.match(stopping?.event === 'job-stopping' ? stopping.cause : '', /no job left needs it/);
  });

  it('http: probes a job on network none from inside its own network namespace', async () => {
    const file = writeWorkflow(
      files.dir,
      'http',
      `jobs:
  api:
    command: sh
    args: ['-c', 'sleep 0.3; exec ${SERVER} 8080 --bind 127.0.0.1']
    network: none
    ready: { http: 'http://127.0.0.1:8080/', interval: 100ms }
  check:
    command: 'true'
    network: none
    requires: [api: RUNNING]
`,
    );
    const r = await runWorkflowJson(file, state.dir);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(indexOf(r.events, 'job-ready', 'api') < indexOf(r.events, 'job-started', 'check'));
    assert.ok(
      outputOf(r.events, 'api').some((l) => l.includes('"GET / HTTP/1.1" 200')),
      'the probe asked the server itself',
    );
  });

  it('log and exec: a matching output line; a command run inside the job sees its own /tmp', async () => {
    const file = writeWorkflow(
      files.dir,
      'log-exec',
      `jobs:
  logger:
    command: sh
    args: ['-c', 'echo starting; sleep 0.3; echo "ready to accept connections"; exec sleep 30']
    network: none
    ready: { log: 'ready to accept' }
  marker:
    command: sh
    args: ['-c', 'sleep 0.3; touch /tmp/up; exec sleep 30']
    network: none
    ready: { exec: [test, -e, /tmp/up], interval: 100ms }
  after:
    command: 'true'
    network: none
    requires: [logger: RUNNING, marker: RUNNING]
`,
    );
    const r = await runWorkflowJson(file, state.dir);
    assert.equal(r.code, 0, r.stderr);
    const started = indexOf(r.events, 'job-started', 'after');
    assert.ok(indexOf(r.events, 'job-ready', 'logger') < started);
    assert.ok(indexOf(r.events, 'job-ready', 'marker') < started);
    assert.deepEqual(statuses(r.events), {
      logger: 'STOPPED',
      marker: 'STOPPED',
      after: 'COMPLETED',
    });
  });

  it('a probe that never passes ends the job FAILED, not-ready; its dependents are canceled', async () => {
    const file = writeWorkflow(
      files.dir,
      'never',
      `jobs:
  deaf:
    command: sleep
    args: ['30']
    network: none
    ready: { tcp: 9, interval: 100ms, timeout: 1s }
  client:
    command: 'true'
    network: none
    requires: [deaf: RUNNING]
`,
    );
    const r = await runWorkflowJson(file, state.dir);
    assert.equal(r.code, 1);
    const end = r.events.find((e) => e.event === 'job-finished' && e.job === 'deaf');
    assert.ok(end?.event === 'job-finished');
    assert.equal(end.status, 'FAILED');
    assert.equal(end.reason, 'not-ready');
    assert.match(end.message ?? '', /not ready after 1s: 127\.0\.0\.1:9: ECONNREFUSED/);
    assert.equal(statuses(r.events)['client'], 'CANCELED');
    assert.equal(indexOf(r.events, 'job-started', 'client'), -1);
  });

  it("exec: each attempt runs in the job's cgroups, under its process limit", async () => {
    // `seen` prints its own cgroups, waits for its probe to leave the probe's in its /tmp, and
    // prints those. `roomy` has room for the probe's two processes (nsenter and the command) beside
    // its PID 1; `full` for one more process only, so nsenter cannot fork: in rnx's own cgroup (no
    // limit) the probe would pass.
    const file = writeWorkflow(
      files.dir,
      'exec-cgroup',
      `jobs:
  seen:
    command: sh
    args:
      - -c
      - |
        echo "job $(sort /proc/self/cgroup | tr "\\n" " ")"
        while [ ! -e /tmp/probe ]; do sleep 0.05; done
        echo "probe $(cat /tmp/probe)"
    network: none
    ready:
      exec: [sh, -c, 'sort /proc/self/cgroup | tr "\\n" " " > /tmp/p && mv /tmp/p /tmp/probe']
      interval: 100ms
  roomy:
    command: sleep
    args: ['30']
    network: none
    resources: { max_processes: 3 }
    stop_signal: SIGKILL
    ready: { exec: ['true'], interval: 100ms, timeout: 20s }
  client:
    command: 'true'
    network: none
    requires: [roomy: RUNNING]
  full:
    command: sleep
    args: ['30']
    network: none
    resources: { max_processes: 2 }
    ready: { exec: ['true'], interval: 100ms, timeout: 2s }
`,
    );
    const r = await runWorkflowJson(file, state.dir);
    const [job, probe] = outputOf(r.events, 'seen');
    assert.match(job ?? '', /pids:\/\S*rnx-/, 'the job is in its own pids cgroup');
    assert.equal(probe?.replace(/^probe /, '').trim(), job?.replace(/^job /, '').trim());
    assert.ok(indexOf(r.events, 'job-ready', 'roomy') !== -1, 'a probe within the limit passes');
    const full = r.events.find((e) => e.event === 'job-finished' && e.job === 'full');
    assert.ok(full?.event === 'job-finished');
    assert.equal(full.reason, 'not-ready');
    assert.match(full.message ?? '', /true: exit \d+: nsenter: fork failed/);
  });

  it('tcp: the prober keeps no privilege (nobody, CapEff and CapPrm empty, no new privileges)', async () => {
    const rnx = spawn(
      process.execPath,
      [
        RNX_BIN,
        'job',
        'run',
        '--network=none',
        '--ready=tcp:9',
        '--ready-timeout=60s',
        'sleep',
        '60',
      ],
      {
        cwd: REPO_ROOT,
        env: { ...process.env, NO_COLOR: '1', RNX_STATE_DIR: state.dir },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const ran = collectRun(rnx);
    try {
      // The prober is rnx's descendant carrying RNX_PROBE, once it is node (nsenter and setpriv
      // execute it) and has made itself nobody, its first statements.
      const node = realpathSync(process.execPath);
      let status = '';
      for (let i = 0; i < 400 && !/^Uid:\s+65534\s/m.test(status); i++) {
        status = proberStatus(rnx.pid ?? 0, node) ?? '';
        if (!/^Uid:\s+65534\s/m.test(status)) await new Promise((r) => setTimeout(r, 50));
      }
      const field = (name: string): string =>
        new RegExp(`^${name}:[ \\t]*(.*)$`, 'm').exec(status)?.[1]?.trim() ?? `(no ${name})`;
      assert.match(field('Uid'), /^65534\s+65534\s+65534\s+65534$/, status);
      assert.match(field('Gid'), /^65534\s+65534\s+65534\s+65534$/, status);
      assert.equal(field('Groups'), '');
      assert.equal(field('CapEff'), '0000000000000000');
      assert.equal(field('CapPrm'), '0000000000000000');
      assert.equal(field('CapInh'), '0000000000000000');
      assert.equal(field('CapAmb'), '0000000000000000');
      // CAP_SETGID (6) and CAP_SETUID (7) only, for the switch; nothing can be gained back by exec.
      assert.equal(field('CapBnd'), '00000000000000c0');
      assert.equal(field('NoNewPrivs'), '1');
    } finally {
      rnx.kill('SIGINT');
      await ran;
    }
  });

  it('a service that exits with an error before it is ready: dependents CANCELED, never started', async () => {
    const file = writeWorkflow(
      files.dir,
      'crash',
      `jobs:
  db:
    command: sh
    args: ['-c', 'echo "FATAL: bad config" >&2; exit 3']
    network: none
    ready: { tcp: 5432 }
  migrate:
    command: 'true'
    network: none
    requires: [db: RUNNING]
  query:
    command: 'true'
    network: none
    requires: [migrate: COMPLETED]
`,
    );
    const r = await runWorkflowJson(file, state.dir);
    assert.equal(r.code, 1);
    assert.deepEqual(statuses(r.events), { db: 'FAILED', migrate: 'CANCELED', query: 'CANCELED' });
    const canceled = r.events.find((e) => e.event === 'job-canceled' && e.job === 'migrate');
    assert.equal(
      canceled?.event === 'job-canceled' && canceled.cause,
      'requires db: RUNNING, but db ended FAILED before it was ready',
    );
    assert.equal(indexOf(r.events, 'job-started', 'migrate'), -1);
  });
});

describe('stop signal and grace', () => {
  it('stops a service with its stop_signal: SIGINT reaches a Python program', async () => {
    const file = writeWorkflow(
      files.dir,
      'sigint',
      `jobs:
  py:
    command: python3
    args:
      - -u
      - -c
      - |
        import time
        print("up")
        try:
            time.sleep(60)
        except KeyboardInterrupt:
            print("got SIGINT")
    network: none
    stop_signal: SIGINT
    ready: { log: up }
  user:
    command: 'true'
    network: none
    requires: [py: RUNNING]
`,
    );
    const r = await runWorkflowJson(file, state.dir);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(outputOf(r.events, 'py'), ['up', 'got SIGINT']);
  });

  it('honours stop_grace: a job ignoring its stop signal is killed after 1s, not 10s', async () => {
    const file = writeWorkflow(
      files.dir,
      'grace',
      `jobs:
  stubborn:
    command: sh
    args: ['-c', 'trap "echo ignored" TERM; echo up; while :; do sleep 0.1; done']
    network: none
    stop_grace: 1s
    ready: { log: up }
  user:
    command: 'true'
    network: none
    requires: [stubborn: RUNNING]
`,
    );
    const r = await runWorkflowJson(file, state.dir);
    assert.equal(r.code, 0, r.stderr);
    const stopping = r.events.find((e) => e.event === 'job-stopping' && e.job === 'stubborn');
    const end = r.events.find((e) => e.event === 'job-finished' && e.job === 'stubborn');
    assert.ok(stopping?.event === 'job-stopping' && end?.event === 'job-finished');
    assert.equal(end.signal, 'SIGKILL');
    assert.ok(outputOf(r.events, 'stubborn').includes('ignored'));
    const took = Date.parse(end.at) - Date.parse(stopping.at);
    assert.ok(took >= 1000 && took < 9000, `stopped after ${String(took)} ms`);
  });
});

/** /proc/PID/status of the tcp/http prober below `root`, once it runs node; undefined before. */
function proberStatus(root: number, node: string): string | undefined {
  const queue = [root];
  for (let pid = queue.shift(); pid !== undefined; pid = queue.shift()) {
    queue.push(...childrenOf(pid));
    try {
      if (!readFileSync(`/proc/${String(pid)}/environ`, 'utf8').includes('RNX_PROBE=')) continue;
      if (readlinkSync(`/proc/${String(pid)}/exe`) !== node) continue;
      return readFileSync(`/proc/${String(pid)}/status`, 'utf8');
    } catch {
      // Gone, or changing: looked at again next time.
    }
  }
  return undefined;
}
