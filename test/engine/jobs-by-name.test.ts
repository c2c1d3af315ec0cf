/**
 * Jobs find each other by name on their own network, and only there: the network guide's
 * microservices pattern on real bridges. A Python HTTP server runs as a service; a client on the
 * same network reaches it as `http://api:8000`; a job on another network has no `api` in its
 * /etc/hosts and cannot reach the server's address either. The service is stopped by the workflow
 * once nothing needs it.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { runCli, tempDir } from '../helpers/cli.js';
import { leftovers } from '../helpers/leftovers.js';
import { outputOf, runWorkflowJson, timesOf, writeWorkflow } from '../helpers/workflow.js';

const state = tempDir();
const files = tempDir('rnx-wf-');

before(async () => {
  for (const [name, cidr] of [
    ['svc-a', '10.40.0.0/24'],
    ['svc-b', '10.41.0.0/24'],
  ] as const) {
    const r = await runCli(['network', 'create', name, `--cidr=${cidr}`], { stateDir: state.dir });
    assert.equal(r.code, 0, r.stderr);
  }
});

after(async () => {
  for (const name of ['svc-a', 'svc-b'])
    await runCli(['network', 'remove', name], { stateDir: state.dir });
  state.cleanup();
  files.cleanup();
});

const WORKFLOW = `name: by-name
jobs:
  api:
    command: python3
    args: ['-m', 'http.server', '8000']
    network: svc-a
  client:
    command: python3
    args:
      - -c
      - |
        import time, urllib.request
        for attempt in range(80):
            try:
                print('status', urllib.request.urlopen('http://api:8000/', timeout=1).status)
                break
            except OSError:
                time.sleep(0.1)
        else:
            raise SystemExit('api never answered')
    network: svc-a
    requires: [api: RUNNING]
  outsider:
    command: python3
    args:
      - -c
      - |
        import sys, urllib.request
        hosts = open('/etc/hosts').read().split()
        print('api listed' if 'api' in hosts else 'api not listed')
        try:
            urllib.request.urlopen('http://' + sys.argv[1] + ':8000/', timeout=2)
            print('reached api')
        except OSError:
            print('api unreachable')
      - API_ADDRESS
    network: svc-b
    requires: [api: RUNNING]
`;

describe('jobs find each other by name', () => {
  it('reach a service by job name on the same network, not from another network', async () => {
    // api's address is known in advance: it is the first job to start on a fresh network (whose
    // gateway is .1), and leases are taken when jobs start.
    const file = writeWorkflow(files.dir, 'by-name', WORKFLOW.replace('API_ADDRESS', '10.40.0.2'));
    const r = await runWorkflowJson(file, state.dir);
    assert.equal(r.code, 0, `${r.stderr}\n${JSON.stringify(r.events)}`);
    const started = r.events.find((e) => e.event === 'job-started' && e.job === 'api');
    assert.ok(started?.event === 'job-started');
    assert.equal(started.address, '10.40.0.2');
    assert.deepEqual(outputOf(r.events, 'client'), ['status 200']);
    assert.deepEqual(outputOf(r.events, 'outsider'), ['api not listed', 'api unreachable']);
    const stopping = r.events.find((e) => e.event === 'job-stopping');
    assert.ok(stopping?.event === 'job-stopping' && stopping.job === 'api');
    assert.deepEqual(
      r.finished.jobs.map((j) => [j.job, j.status]),
      [
        ['api', 'STOPPED'],
        ['client', 'COMPLETED'],
        ['outsider', 'COMPLETED'],
      ],
    );
    const t = timesOf(r.events);
    const api = t.get('api');
    const client = t.get('client');
    assert.ok(api && client);
    assert.ok(client.start >= api.start, 'the client started once the service was running');
    assert.ok(api.end >= client.end, 'the service was stopped after the client ended');
    const ids = r.finished.jobs.flatMap((j) => (j.jobId === undefined ? [] : [j.jobId]));
    const pids = r.events.flatMap((e) => (e.event === 'job-started' ? [e.pid] : []));
    assert.deepEqual(leftovers(state.dir, ids, pids), []);
  });
});
