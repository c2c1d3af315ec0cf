import assert from 'node:assert/strict';
import { readFileSync, readlinkSync } from 'node:fs';
import { hostname } from 'node:os';
import { describe, it } from 'node:test';
import { run, sh, jobSpec } from './job-rig.js';

describe("a job's own namespaces", () => {
  it('runs the command itself as PID 1, with no wrapper left', async () => {
    const { result, stdout } = await run(sh('echo pid=$$; tr "\\0" " " < /proc/1/cmdline'));
    assert.equal(result.status, 'COMPLETED');
    assert.match(stdout, /^pid=1$/m);
    assert.match(stdout, /^sh -c echo pid=\$\$/m);
  });

  it("shows only the job's own tree in ps (the guide's example)", async () => {
    const { result, stdout } = await run(
      jobSpec('bash', ['-c', 'sleep 30 & sleep 40 & sleep 0.2; ps -e -o pid=,args=; kill %1 %2']),
    );
    assert.equal(result.status, 'COMPLETED');
    const rows = stdout
      .trim()
      .split('\n')
      .map((l) => l.trim().replace(/\s+/, ' '));
    assert.equal(rows.length, 4, stdout);
    assert.match(rows[0] ?? '', /^1 bash -c sleep 30/);
    assert.ok(rows.some((r) => / sleep 30$/.test(r)));
    assert.ok(rows.some((r) => / sleep 40$/.test(r)));
    assert.ok(rows.some((r) => / ps -e/.test(r)));
  });

  it('cannot see host processes', async () => {
    const { stdout } = await run(
      sh('ls /proc | grep -c "^[0-9]"; grep -l node /proc/[0-9]*/comm || true'),
    );
    const [count, ...nodeProcs] = stdout.trim().split('\n');
    assert.ok(Number(count) <= 4, `job saw ${String(count)} processes`);
    assert.deepEqual(nodeProcs, []);
  });

  it('cannot signal a host process', async () => {
    const { stdout } = await run(
      sh(`kill -0 ${String(process.pid)} 2>/dev/null && echo reached || echo unreachable`),
    );
    // The test runner's pid means nothing inside: either absent or a different process of the job.
    assert.equal(stdout.trim(), 'unreachable');
  });

  it('with --network=none has only lo, and it is up', async () => {
    const { stdout } = await run(jobSpec('ip', ['-o', 'link', 'show']));
    const links = stdout.trim().split('\n');
    assert.equal(links.length, 1, stdout);
    assert.match(links[0] ?? '', /^1: lo: <LOOPBACK,UP,LOWER_UP>/);
  });

  it('has its name as hostname and in its own /etc/hosts; the host files are untouched', async () => {
    const hostsBefore = readFileSync('/etc/hosts', 'utf8');
    const { stdout } = await run(sh('hostname; grep -c "batch-7" /etc/hosts', { name: 'batch-7' }));
    assert.deepEqual(stdout.trim().split('\n'), ['batch-7', '1']);
    assert.equal(readFileSync('/etc/hosts', 'utf8'), hostsBefore);
    assert.equal(hostname() === 'batch-7', false);
  });

  it('lists the other jobs it was given in its /etc/hosts', async () => {
    const { stdout } = await run(
      sh('cat /etc/hosts', { name: 'web', hosts: [{ name: 'db', address: '10.9.0.7' }] }),
    );
    assert.match(stdout, /^10\.9\.0\.7\tdb$/m);
    assert.match(stdout, /\tweb$/m);
  });

  it('cannot change its resolv.conf (shared by jobs, bound read-only)', async () => {
    const { stdout } = await run(
      sh(
        'head -1 /etc/resolv.conf; (echo nameserver 10.6.6.6 >> /etc/resolv.conf) 2>/dev/null || echo read-only',
      ),
    );
    assert.match(stdout, /^# written by rnx for its jobs$/m);
    assert.match(stdout, /^read-only$/m);
  });

  it('has its own IPC, UTS and mount namespaces', async () => {
    const { stdout } = await run(
      sh('readlink /proc/self/ns/ipc /proc/self/ns/uts /proc/self/ns/mnt'),
    );
    assert.equal(stdout.trim().split('\n').length, 3);
    for (const kind of ['ipc', 'uts', 'mnt']) {
      assert.ok(
        !stdout.includes(readlinkSync(`/proc/self/ns/${kind}`)),
        `${kind} namespace is shared`,
      );
    }
  });
});
