/**
 * Test rigs for real network namespaces: a "job" is a `sleep` started by `unshare --net` (the pid
 * is the sleeper's, inside its own fresh network namespace, its loopback up as bwrap leaves a job's), and commands run inside it through
 * nsenter. Every sleeper is killed by the test that started it.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, readlinkSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

export interface Sleeper {
  readonly pid: number;
  readonly child: ChildProcess;
  kill(): Promise<void>;
}

/**
 * Starts `sleep` in a new network namespace whose loopback is up (as bwrap leaves a job's) and
 * waits until it runs: the namespace exists and `sleep` was exec'd, after `ip link set lo up`.
 */
export async function startSleeper(): Promise<Sleeper> {
  const child = spawn('unshare', ['--net', 'sh', '-c', 'ip link set lo up && exec sleep 600'], {
    stdio: 'ignore',
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error('could not start unshare');
  const own = readlinkSync('/proc/self/ns/net');
  for (let i = 0; i < 500; i++) {
    try {
      if (
        readlinkSync(`/proc/${String(pid)}/ns/net`) !== own &&
        readFileSync(`/proc/${String(pid)}/comm`, 'utf8').trim() === 'sleep'
      ) {
        break;
      }
    } catch {
      // not yet
    }
    await sleep(2);
  }
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
  return {
    pid,
    child,
    async kill() {
      child.kill('SIGKILL');
      await exited;
    },
  };
}

export interface RunResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a command to completion; never rejects on a non-zero exit. */
export function run(
  command: string,
  args: readonly string[],
  timeoutMs = 15_000,
): Promise<RunResult> {
  return new Promise((resolve) => {
    execFile(command, args, { timeout: timeoutMs }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1;
      resolve({ code, stdout, stderr });
    });
  });
}

/** Runs a command inside the network namespace of `pid`. */
export function inNetns(
  pid: number,
  args: readonly string[],
  timeoutMs?: number,
): Promise<RunResult> {
  return run('nsenter', [`--net=/proc/${String(pid)}/ns/net`, ...args], timeoutMs);
}

/** One ping from inside `pid`'s namespace; true when answered. */
export async function canPing(pid: number, address: string): Promise<boolean> {
  const r = await inNetns(pid, ['busybox', 'ping', '-c', '1', '-W', '1', address]);
  return r.code === 0;
}

/**
 * For a path that must work: up to `tries` single pings, true at the first answer. A link made a
 * moment ago can lose the very first one on a loaded machine (the ARP exchange and the reply
 * within its second), which failed a suite run now and then; an unreachable address still fails
 * every try. Paths that must be blocked keep one ping (canPing).
 */
export async function pingAnswered(pid: number, address: string, tries = 3): Promise<boolean> {
  for (let i = 0; i < tries; i++) if (await canPing(pid, address)) return true;
  return false;
}

const SERVER = `
import socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("0.0.0.0", int(sys.argv[1])))
s.listen(8)
print("listening", flush=True)
while True:
    c, peer = s.accept()
    c.sendall(("peer " + peer[0] + "\\n").encode())
    c.close()
`;

const CLIENT = `
import socket, sys
s = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=2)
print(s.recv(200).decode().strip())
`;

/** A TCP server that answers every connection with "peer <address it saw>". */
export async function startPeerServer(
  prefix: readonly string[],
  port: number,
): Promise<{ stop: () => Promise<void> }> {
  const [command = '', ...rest] = [...prefix, 'python3', '-c', SERVER, String(port)];
  const child = spawn(command, rest, { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    child.stdout.once('data', () => resolve());
    child.once('exit', (code) => reject(new Error(`server exited with ${String(code)}`)));
  });
  return {
    async stop() {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
    },
  };
}

/** Connects from inside `pid`'s namespace; the server's answer, or undefined when unreachable. */
export async function tcpPeer(
  pid: number,
  address: string,
  port: number,
): Promise<string | undefined> {
  const r = await inNetns(pid, ['python3', '-c', CLIENT, address, String(port)]);
  return r.code === 0 ? r.stdout.trim() : undefined;
}

/** Refuses to run outside the harness's throwaway namespace (never touch the machine's network). */
export function requireSandbox(): void {
  if (process.env['RNX_TEST_SANDBOX'] !== '1') {
    throw new Error('network tests run only inside the test harness namespace (npm test)');
  }
}

/** Removes every rnx bridge and the table inet rnx from the test namespace. */
export async function resetHost(): Promise<void> {
  const links = await run('ip', ['-j', 'link', 'show']);
  for (const link of JSON.parse(links.stdout || '[]') as { ifname: string }[]) {
    if (link.ifname.startsWith('rnx')) await run('ip', ['link', 'del', 'dev', link.ifname]);
  }
  await run('nft', ['delete', 'table', 'inet', 'rnx']);
}

/** Names of the interfaces in the test namespace. */
export async function linkNames(): Promise<string[]> {
  const links = await run('ip', ['-j', 'link', 'show']);
  return (JSON.parse(links.stdout || '[]') as { ifname: string }[]).map((l) => l.ifname);
}

/** `nft list table inet rnx`, or undefined when the table does not exist. */
export async function rnxTable(): Promise<string | undefined> {
  const r = await run('nft', ['-a', 'list', 'table', 'inet', 'rnx']);
  return r.code === 0 ? r.stdout : undefined;
}
