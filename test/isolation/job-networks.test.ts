/**
 * Jobs on rnx networks, through the runner: phase 1 lease, phase 2 wiring by PID, the go byte.
 * TCP between real jobs (python3 sockets), in the harness's throwaway network namespace.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { bridgeMac } from '../../src/networks/bridge.js';
import { createNetwork, listLeases, removeNetwork, vethName } from '../../src/networks/index.js';
import { openDatabase, stateDir, type Database } from '../../src/state/database.js';
import { RNX_BIN, runCli, tempDir } from '../helpers/cli.js';
import { jobSpec, run, type Ran } from './job-rig.js';

const UPSTREAM = process.env['RNX_TEST_UPSTREAM'] ?? '198.51.100.1';

/** `serve PORT [once]` answers one client with its hostname, then (unless `once`) connects back to
 *  that client's PORT+1. `call ADDR PORT WAIT [once]` listens on PORT+1, connects to ADDR:PORT,
 *  then (unless `once`) accepts the call back. */
const PEER = `
import socket, sys, time
def connect(addr, port, wait):
    end = time.time() + wait
    while True:
        try:
            return socket.create_connection((addr, port), timeout=1)
        except OSError as e:
            if time.time() > end:
                print('unreachable', addr, port, e, flush=True)
                sys.exit(3)
            time.sleep(0.05)
def listen(port):
    s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(('0.0.0.0', port)); s.listen(1); s.settimeout(8); return s
me = socket.gethostname().encode()
if sys.argv[1] == 'serve':
    port = int(sys.argv[2]); s = listen(port)
    c, (peer, _) = s.accept(); c.sendall(b'hello from ' + me); c.close()
    if sys.argv[-1] == 'once': sys.exit(0)
    back = connect(peer, port + 1, 5); back.sendall(b'hello back from ' + me); back.close()
    print('served', peer, flush=True)
else:
    addr, port = sys.argv[2], int(sys.argv[3]); s = listen(port + 1)
    c = connect(addr, port, float(sys.argv[4])); print(c.recv(100).decode(), flush=True)
    if sys.argv[-1] == 'once': sys.exit(0)
    b, _ = s.accept(); print(b.recv(100).decode(), flush=True)
`;

interface Server {
  readonly ran: Promise<Ran>;
  readonly address: Promise<string>;
  /** Stops the server job (when no client could reach it). */
  stop(): void;
}

function serve(name: string, network: string, port: number): Server {
  let resolveAddress: (a: string) => void = () => undefined;
  const address = new Promise<string>((r) => (resolveAddress = r));
  const stop = new AbortController();
  const ran = run(jobSpec('python3', ['-c', PEER, 'serve', String(port)], { name, network }), {
    signal: stop.signal,
    onStarted: (info) => resolveAddress(info.address ?? ''),
  });
  return { ran, address, stop: () => stop.abort() };
}

function call(
  name: string,
  network: string,
  address: string,
  port: number,
  wait = 5,
  once = false,
): Promise<Ran> {
  const args = ['-c', PEER, 'call', address, String(port), String(wait), ...(once ? ['once'] : [])];
  return run(jobSpec('python3', args, { name, network }));
}

describe('jobs on networks', () => {
  let db: Database;

  before(async () => {
    db = openDatabase(stateDir());
    for (const [name, cidr, internal] of [
      ['iso-a', '10.61.0.0/24', false],
      ['iso-b', '10.62.0.0/24', false],
      ['iso-int', '10.63.0.0/24', true],
    ] as const) {
      const created = await createNetwork(db, { name, cidr, internal });
      assert.ok(created.ok, created.ok ? '' : created.problem.message);
    }
  });

  after(async () => {
    await removeNetwork(db, 'iso-a');
    await removeNetwork(db, 'iso-b');
    await removeNetwork(db, 'iso-int');
  });

  it('gives a bridge job an address in the CIDR and a default route via the gateway', async () => {
    const { result, stdout } = await run(
      jobSpec('sh', ['-c', 'ip -o -4 addr show eth0 && ip route show default'], {
        network: 'bridge',
      }),
    );
    assert.equal(result.status, 'COMPLETED', stdout);
    assert.match(result.address ?? '', /^172\.20\.\d+\.\d+$/);
    assert.match(stdout, new RegExp(`inet ${(result.address ?? '').replace(/\./g, '\\.')}/16 `));
    assert.match(stdout, /^default via 172\.20\.0\.1 dev eth0/m);
  });

  it('lets two jobs on one network connect by TCP in both directions', async () => {
    const server = serve('alpha', 'iso-a', 7001);
    const client = await call('beta', 'iso-a', await server.address, 7001);
    const served = await server.ran;
    assert.match(client.stdout, /^hello from alpha$/m, client.stdout + client.stderr);
    assert.match(client.stdout, /^hello back from alpha$/m);
    assert.match(served.stdout, /^served 10\.61\.0\.\d+$/m);
  });

  it('keeps jobs on different networks apart', async () => {
    const server = serve('gamma', 'iso-a', 7003);
    const client = await call('delta', 'iso-b', await server.address, 7003, 1.5);
    server.stop();
    assert.equal((await server.ran).result.status, 'STOPPED');
    assert.match(client.stdout, /^unreachable /m);
    assert.equal(client.result.exitCode, 3);
  });

  it('keeps jobs on the isolated network from reaching each other, but not from the outside', async () => {
    const server = serve('iso1', 'isolated', 7005);
    const client = await call('iso2', 'isolated', await server.address, 7005, 1.5);
    server.stop();
    await server.ran;
    assert.match(client.stdout, /^unreachable /m);
    const outside = spawn(
      'ip',
      ['netns', 'exec', 'upstream', 'python3', '-c', PEER, 'serve', '7007', 'once'],
      {
        stdio: 'ignore',
      },
    );
    try {
      const out = await call('iso3', 'isolated', UPSTREAM, 7007, 5, true);
      assert.match(out.stdout, /^hello from /m, out.stdout + out.stderr);
    } finally {
      outside.kill();
    }
  });

  it("keeps the gateway's MAC while jobs come and go (the bridge's own, not its ports')", async () => {
    // A bridge without an address of its own takes its lowest port's MAC: a job's veth leaving
    // (late, under load) changed the gateway's MAC under the next job, which then reached nothing
    // off its subnet for seconds.
    const mac = (): string =>
      (
        JSON.parse(
          execFileSync('ip', ['-j', 'link', 'show', 'dev', 'rnx-iso-a'], { encoding: 'utf8' }),
        ) as {
          address: string;
        }[]
      )[0]?.address ?? '';
    const seen: string[] = [];
    const first = await run(jobSpec('true', [], { network: 'iso-a' }), {
      onStarted: () => seen.push(mac()),
    });
    assert.equal(first.result.status, 'COMPLETED', first.stderr);
    const links = (): string => execFileSync('ip', ['-o', 'link', 'show'], { encoding: 'utf8' });
    for (let i = 0; i < 500 && /rnxv/.test(links()); i++) await sleep(10);
    seen.push(mac());
    assert.deepEqual(seen, [bridgeMac('rnx-iso-a'), bridgeMac('rnx-iso-a')]);
    assert.match(seen[0] ?? '', /^02:/, 'locally administered, unicast');
  });

  it('lets bridge jobs reach the outside through NAT, and not jobs of an internal network', async () => {
    const outside = spawn(
      'ip',
      ['netns', 'exec', 'upstream', 'python3', '-c', PEER, 'serve', '7009', 'once'],
      { stdio: 'ignore' },
    );
    try {
      const internal = await call('int1', 'iso-int', UPSTREAM, 7009, 1.5, true);
      assert.match(internal.stdout, /^unreachable /m);
      const out = await call('br1', 'bridge', UPSTREAM, 7009, 5, true);
      assert.match(out.stdout, /^hello from /m, out.stdout + out.stderr);
    } finally {
      outside.kill();
    }
  });

  it('releases the lease when a job ends, and its veth goes with its namespace', async () => {
    const { result } = await run(jobSpec('true', [], { network: 'bridge' }));
    assert.ok(result.address !== undefined);
    assert.ok(!listLeases(db, 'bridge').some((l) => l.jobId === result.id));
    // The end is reported first; the kernel removes the veth with the job's network namespace
    // (or rnx deletes it, if it lingers 2 s): waited for, with a bound. Every job's veth, not only
    // this one's: the kernel tears namespaces down in its own time (slower under load), so a veth
    // of the previous test's jobs can still be there now, and must be gone too.
    const links = (): string => execFileSync('ip', ['-o', 'link', 'show'], { encoding: 'utf8' });
    for (let i = 0; i < 500 && /rnxv/.test(links()); i++) await sleep(10);
    assert.doesNotMatch(links(), /rnxv/);
  });

  it('fails a job whose phase 2 fails without running its command, and undoes it', async () => {
    const spec = jobSpec('echo', ['ran'], { network: 'bridge' });
    // An interface already holding the job's veth name makes phase 2 fail.
    execFileSync('ip', ['link', 'add', vethName(spec.id), 'type', 'bridge']);
    try {
      const { result, stdout } = await run(spec);
      assert.equal(result.status, 'FAILED');
      assert.equal(result.reason, 'network-setup');
      assert.match(
        result.message ?? '',
        /network setup for 'bridge' failed, the command did not run/,
      );
      assert.equal(stdout, '');
      assert.ok(!listLeases(db, 'bridge').some((l) => l.jobId === result.id));
    } finally {
      execFileSync('sh', ['-c', `ip link del ${vethName(spec.id)} 2>/dev/null || true`]);
    }
  });

  it('after rnx is SIGKILLed mid-job, the next rnx removes its veth and lease too', async () => {
    const state = tempDir('rnx-net-orphan-');
    try {
      const child = spawn(
        process.execPath,
        [RNX_BIN, 'job', 'run', '--name=netorphan', 'sleep', '300'],
        {
          env: { ...process.env, RNX_STATE_DIR: state.dir },
          stdio: 'ignore',
        },
      );
      const done = new Promise((r) => child.on('close', r));
      const own = openDatabase(state.dir);
      let veth: string | undefined;
      for (let i = 0; i < 200 && veth === undefined; i++) {
        const row = own.prepare("SELECT id, status FROM jobs WHERE name = 'netorphan'").get() as
          { id: string; status: string } | undefined;
        if (row?.status === 'RUNNING') veth = vethName(row.id);
        else await new Promise((r) => setTimeout(r, 50));
      }
      assert.ok(veth !== undefined, 'the job never ran');
      assert.match(execFileSync('ip', ['-o', 'link'], { encoding: 'utf8' }), new RegExp(veth));
      assert.equal(listLeases(own, 'bridge').length, 1);
      child.kill('SIGKILL');
      await done;
      const next = await runCli(['job', 'list'], { stateDir: state.dir });
      assert.match(next.stderr, /cleaned up job/);
      assert.doesNotMatch(
        execFileSync('ip', ['-o', 'link'], { encoding: 'utf8' }),
        new RegExp(veth),
      );
      assert.equal(listLeases(own, 'bridge').length, 0);
    } finally {
      state.cleanup();
    }
  });
});
