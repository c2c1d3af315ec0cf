/**
 * A job is contained the way Docker's defaults contain a container, for real: its capability sets,
 * what it cannot do (mount, load modules, set the clock, gain anything from a setuid binary), its
 * small /dev, the masked and read-only kernel paths, --cap-add NET_ADMIN reaching only its own
 * network namespace, and what ordinary programs need still working. Run for each sandbox program:
 * rnx-sandbox (containment.test.ts) and bwrap + setpriv (containment-bwrap.test.ts).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DOCKER_READONLY_PATHS } from '../../src/isolation/filesystem/mount-plan.js';
import { ALL_CAPABILITIES } from '../../src/isolation/start/capabilities.js';
import { createVolume } from '../../src/isolation/filesystem/volumes.js';
import { openDatabase, stateDir, type Database } from '../../src/state/database.js';
import { run, sh } from './job-rig.js';

const CAP_LINES = /^Cap(Inh|Prm|Eff|Bnd|Amb):\s+([0-9a-f]+)$/gm;

function capSets(text: string): Record<string, string> {
  return Object.fromEntries([...text.matchAll(CAP_LINES)].map((m) => [m[1] ?? '', m[2] ?? '']));
}

/** Python that calls a syscall through libc and prints `NAME=errno`. */
function syscalls(calls: Record<string, string>): string {
  const lines = Object.entries(calls).map(
    ([name, call]) =>
      `r = ${call}; print("${name}=" + (str(ctypes.get_errno()) if r != 0 else "ok"))`,
  );
  return ['import ctypes', 'libc = ctypes.CDLL(None, use_errno=True)', ...lines].join('\n');
}

/** The suite, for the sandbox program this process uses (RNX_SANDBOX, read at the first job). */
export function containmentSuite(title: string, tag: string): void {
  describe(title, () => {
    let db: Database;

    before(() => {
      db = openDatabase(stateDir());
    });
    after(() => db.close());

    it("keeps exactly Docker's default capabilities in every set, none ambient", async () => {
      const { result, stdout } = await run(sh('grep ^Cap /proc/self/status'));
      assert.equal(result.status, 'COMPLETED');
      assert.deepEqual(capSets(stdout), {
        Inh: '00000000a80425fb',
        Prm: '00000000a80425fb',
        Eff: '00000000a80425fb',
        Bnd: '00000000a80425fb',
        Amb: '0000000000000000',
      });
    });

    it('cannot mount, load or remove a module, or set the clock', async () => {
      const { result, stdout, stderr } = await run(
        sh(
          `mount -t tmpfs rnx-probe /tmp 2>&1 || echo mount=refused
python3 -c '${syscalls({
            mount: 'libc.mount(b"none", b"/tmp", b"tmpfs", 0, None)',
            init_module: 'libc.syscall(175, None, 0, b"")',
            delete_module: 'libc.syscall(176, b"loop", 0)',
            settimeofday: 'libc.settimeofday(ctypes.byref((ctypes.c_long * 2)(0, 0)), None)',
            unshare_mount: 'libc.unshare(0x00020000)',
            reboot: 'libc.syscall(169, 0, 0, 0, None)',
            sethostname: 'libc.sethostname(b"other", 5)',
          })}'`,
        ),
      );
      assert.equal(result.status, 'COMPLETED', stderr);
      assert.match(stdout, /mount=refused/);
      // EPERM (1) every time: the capability is not there.
      for (const call of ['mount', 'settimeofday', 'unshare_mount', 'reboot', 'sethostname']) {
        assert.match(stdout, new RegExp(`^${call}=1$`, 'm'), stdout);
      }
      // A kernel built without module support answers ENOSYS (38) before looking at capabilities.
      for (const call of ['init_module', 'delete_module']) {
        assert.match(stdout, new RegExp(`^${call}=(1|38)$`, 'm'), stdout);
      }
    });

    it('gains nothing from a setuid-root binary', async () => {
      // Each run of the suite has a volume of its own (the test run shares one state directory).
      const volume = `suid-${tag}`;
      assert.ok(createVolume(db, stateDir(), volume).ok);
      const bin = join(stateDir(), 'volumes', volume, 'status');
      copyFileSync('/usr/bin/cat', bin);
      chmodSync(bin, 0o4755);
      const { result, stdout, stderr } = await run(
        sh(
          `echo root; /volumes/${volume}/status /proc/self/status | grep -E "^(Uid|CapEff|CapPrm)"; ` +
            `echo nobody; setpriv --reuid=65534 --regid=65534 --clear-groups /volumes/${volume}/status /proc/self/status | grep -E "^(Uid|CapEff|CapPrm)"`,
          { volumes: [volume] },
        ),
      );
      assert.equal(result.status, 'COMPLETED', stderr);
      const [asRoot = '', asNobody = ''] = stdout.split('nobody\n');
      assert.equal(capSets(asRoot)['Eff'], '00000000a80425fb', 'root keeps only the default set');
      assert.match(asNobody, /^Uid:\s+65534\s+65534\s+65534\s+65534$/m, 'no setuid to root');
      assert.equal(capSets(asNobody)['Eff'], '0000000000000000');
      assert.equal(capSets(asNobody)['Prm'], '0000000000000000');
    });

    it('has a small /dev: no host device, its own pts and shm, the fd links', async () => {
      const { result, stdout } = await run(
        sh(
          'ls -A /dev | tr "\\n" " "; echo; find /dev -type b | wc -l; ' +
            'readlink /dev/stdout /dev/fd; grep -E " /dev/(pts|shm) " /proc/self/mounts | cut -d" " -f3',
        ),
      );
      assert.equal(result.status, 'COMPLETED');
      const [listing, blocks, stdoutLink, fdLink, ...types] = stdout.trim().split('\n');
      assert.deepEqual(
        (listing ?? '').trim().split(' ').sort(),
        [
          'console',
          'core',
          'fd',
          'full',
          'null',
          'ptmx',
          'pts',
          'random',
          'shm',
          'stderr',
          'stdin',
          'stdout',
          'tty',
          'urandom',
          'zero',
        ].filter((name) => name !== 'console'),
      );
      assert.equal(blocks, '0');
      assert.equal(stdoutLink, '/proc/self/fd/1');
      assert.equal(fdLink, '/proc/self/fd');
      assert.deepEqual(types, ['devpts', 'tmpfs']);
    });

    it('masks and protects /proc and /sys as Docker does', async () => {
      const { result, stdout } = await run(
        sh(
          'wc -c < /proc/keys; wc -c < /proc/timer_list; ls -A /sys/firmware | wc -l; ' +
            '(echo x > /proc/sys/kernel/hostname) 2>/dev/null || echo sys=refused; ' +
            '(echo 1 > /proc/irq/default_smp_affinity) 2>/dev/null || echo irq=refused; ' +
            'touch /sys/x 2>/dev/null || echo sysfs=refused; cat /proc/self/status > /dev/null && echo proc=ok',
        ),
      );
      assert.equal(result.status, 'COMPLETED');
      assert.equal(stdout, '0\n0\n0\nsys=refused\nirq=refused\nsysfs=refused\nproc=ok\n');
    });

    it("makes each of Docker's read-only /proc paths one read-only mount: rnx's or bwrap's, never both", async () => {
      const paths = DOCKER_READONLY_PATHS.filter((p) => existsSync(p));
      const { result, stdout } = await run(
        sh(
          `for p in ${paths.join(' ')}; do ` +
            'echo "$p" $(awk -v p="$p" \'$5 == p { print $6 }\' /proc/self/mountinfo); done',
        ),
      );
      assert.equal(result.status, 'COMPLETED');
      const mounts = stdout.trim().split('\n');
      assert.deepEqual(
        mounts.map((line) => line.split(' ')[0]),
        paths,
      );
      for (const line of mounts) {
        const options = line.split(' ').slice(1);
        assert.equal(options.length, 1, `one mount at ${line}`);
        assert.match(options[0] ?? '', /^ro,/, line);
      }
    });

    it('writes to /dev/stdout and /dev/stderr: they are pipes, not sockets', async () => {
      const { result, stdout, stderr } = await run(
        sh('echo hi > /dev/stdout; echo oops > /dev/stderr; stat -L -c %F /dev/stdout'),
      );
      assert.equal(result.status, 'COMPLETED', stderr);
      assert.equal(stdout, 'hi\nfifo\n');
      assert.equal(stderr, 'oops\n');
    });

    it('with --cap-add NET_ADMIN changes its own interfaces, and nothing more', async () => {
      const script =
        'ip addr add 192.0.2.77/32 dev lo 2>/dev/null && echo added || echo refused; ' +
        'mount -t tmpfs x /tmp 2>/dev/null && echo mounted || echo mount=refused; ' +
        'grep ^CapEff /proc/self/status';
      const plain = await run(sh(script));
      assert.match(plain.stdout, /^refused$/m);
      const admin = await run(sh(script, { capabilities: { add: ['NET_ADMIN'] } }));
      assert.equal(admin.result.status, 'COMPLETED');
      assert.match(admin.stdout, /^added$/m);
      assert.match(admin.stdout, /^mount=refused$/m);
      assert.equal(capSets(admin.stdout)['Eff'], '00000000a80435fb');
      // The address went on the job's own loopback, not on rnx's.
      assert.doesNotMatch(
        execFileSync('ip', ['-o', 'addr', 'show'], { encoding: 'utf8' }),
        /192\.0\.2\.77/,
      );
    });

    it('drops capabilities on request, ALL included', async () => {
      const none = await run(
        sh('grep ^Cap /proc/self/status', { capabilities: { drop: ['ALL'] } }),
      );
      assert.deepEqual(Object.values(capSets(none.stdout)), Array(5).fill('0000000000000000'));
      const noRaw = await run(
        sh('grep ^CapEff /proc/self/status', { capabilities: { drop: ['net_raw'] } }),
      );
      assert.equal(capSets(noRaw.stdout)['Eff'], '00000000a80405fb');
    });

    it('adds ALL as every capability rnx has itself (a host may withhold some from root)', async () => {
      const all = await run(sh('grep ^Cap /proc/self/status', { capabilities: { add: ['ALL'] } }));
      assert.equal(all.result.status, 'COMPLETED', all.stderr);
      const own = capSets(readFileSync('/proc/self/status', 'utf8'));
      const mine = (BigInt(`0x${own['Prm'] ?? '0'}`) & BigInt(`0x${own['Bnd'] ?? '0'}`))
        .toString(16)
        .padStart(16, '0');
      const sets = capSets(all.stdout);
      for (const set of ['Inh', 'Prm', 'Eff', 'Bnd']) assert.equal(sets[set], mine, set);
    });

    it('refuses a capability named that rnx itself lacks, saying which (exit 3)', async () => {
      const own = capSets(readFileSync('/proc/self/status', 'utf8'));
      const mine = BigInt(`0x${own['Prm'] ?? '0'}`) & BigInt(`0x${own['Bnd'] ?? '0'}`);
      const lacking = ALL_CAPABILITIES.filter((_, bit) => ((mine >> BigInt(bit)) & 1n) === 0n);
      const wanted = lacking[0] ?? 'SYS_ADMIN';
      const r = await run(sh('true', { capabilities: { add: [wanted] } }));
      if (lacking.length > 0) {
        // This machine kind withholds CAP_SYS_RESOURCE from root.
        assert.equal(r.result.status, 'FAILED');
        assert.equal(r.result.problem?.code, 'capability-unavailable');
        assert.match(r.result.problem?.message ?? '', new RegExp(`lacks CAP_${wanted}`));
      } else {
        // A host that gives root every capability: the one named is the job's.
        assert.equal(r.result.status, 'COMPLETED', r.stderr);
      }
    });

    it('still runs ps, ip, ping and a Python HTTP server', async () => {
      const { result, stdout, stderr } = await run(
        sh(
          `ps aux | head -2 | tail -1 | awk '{print $2, $11}'
ip -o addr show lo | awk '{print $4}' | head -1
ping -c 1 -W 2 127.0.0.1 > /dev/null && echo ping=ok
python3 -c '
import http.server, threading, urllib.request
server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), http.server.SimpleHTTPRequestHandler)
threading.Thread(target=server.serve_forever, daemon=True).start()
print("http", urllib.request.urlopen("http://127.0.0.1:%d/" % server.server_address[1]).status)
'`,
        ),
      );
      assert.equal(result.status, 'COMPLETED', stderr);
      assert.equal(stdout, '1 sh\n127.0.0.1/8\nping=ok\nhttp 200\n');
    });

    it("runs an exec readiness probe as the job's command runs: its capability sets, user, environment, directory", async () => {
      const self =
        'grep -E "^(Cap|NoNewPrivs|Uid|Gid|Groups)" /proc/self/status; echo "env=$FOO"; pwd';
      for (const extra of [
        { capabilities: { add: ['NET_ADMIN'], drop: ['CHOWN'] } },
        { user: 'nobody', capabilities: { drop: ['KILL'] } },
      ]) {
        const { result, stdout, stderr } = await run(
          sh(
            `${self}; while [ ! -e /tmp/probed ]; do sleep 0.02; done; echo ---; cat /tmp/probed`,
            {
              ...extra,
              env: { FOO: 'bar' },
              ready: {
                probe: {
                  kind: 'exec',
                  command: ['sh', '-c', `(${self}) > /tmp/probing && mv /tmp/probing /tmp/probed`],
                },
                intervalMs: 50,
                timeoutMs: 20_000,
              },
            },
          ),
        );
        assert.equal(result.status, 'COMPLETED', stderr);
        const [job = '', probe = ''] = stdout.split('---\n');
        assert.match(job, /^CapBnd:\s+[0-9a-f]{16}$/m);
        assert.match(job, /^env=bar\n\/work\n$/m);
        assert.equal(probe, job, JSON.stringify(extra));
      }
    });
  });
}
