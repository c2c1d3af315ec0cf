/**
 * A workflow's jobs started by `rnx-sandbox --serve` (serve.c): the same Spawner as the Node
 * spawner process (start/spawner.ts), without Node on the spawning side. Each start is a fork of a
 * process of about 1 MB and an exec, where Node's spawn() forks a process of 60 MB (the spawner) or
 * 130 MB (rnx itself) and then waits for the child to be scheduled. The server ends at the end of
 * its stdin (this process gone, or done with it) and, by its parent-death signal, with rnx's
 * thread that started it; the sandbox programs it started end with it.
 *
 * Requests: a 4-byte little-endian length and NUL-terminated fields (serve.c says which); replies:
 * one line each, `ID spawned PID`, `ID info PID`, `ID closed CODE SIGNAL EXIT-CODE [CGROUP]`,
 * `ID error TEXT` (CGROUP: the status fd's `{"cgroup": ...}` line, sandbox-cgroups.ts).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { Socket } from 'node:net';
import { constants } from 'node:os';
import type { RemoteChild, Spawner } from '../start/spawner.js';
import { remoteStarts } from '../start/remote-starts.js';
import { cgroupReportIn, type CgroupReport } from '../cgroups/sandbox-cgroups.js';
import type { SpawnerFd, SpawnerReply } from '../start/spawner-protocol.js';

/** The largest request serve.c takes (16 MiB; Linux starts no command with that much anyway). */
const MAX_FRAME = 1 << 24;

const SIGNAL_NAMES = new Map(
  Object.entries(constants.signals).map(([name, n]) => [n, name as NodeJS.Signals]),
);

function fdSpec(fd: SpawnerFd): string {
  if (fd === 'ignore') return '-';
  if (fd === 'pipe') return '|';
  return `${fd.flags === 'w' ? 'w' : '+'}${fd.path}`;
}

/** One request as serve.c reads it. */
export function requestFrame(id: number, request: Parameters<Spawner['spawn']>[0]): Buffer {
  const env = Object.entries(request.env)
    .filter(([, value]) => value !== undefined)
    .map(([key, value]) => `${key}=${String(value)}`);
  const fields = [
    String(id),
    request.file,
    String(request.args.length + 1),
    request.file,
    ...request.args,
    String(env.length),
    ...env,
    String(request.stdio.length),
    ...request.stdio.map(fdSpec),
    String(request.fds.info),
    String(request.fds.status),
  ];
  const body = Buffer.from(fields.map((field) => `${field}\0`).join(''));
  const frame = Buffer.alloc(4 + body.length);
  frame.writeUInt32LE(body.length, 0);
  body.copy(frame, 4);
  return frame;
}

/** One reply line as a SpawnerReply (undefined: not one). */
export function parseReply(line: string): SpawnerReply | undefined {
  const [idText = '', kind = '', ...rest] = line.split(' ');
  const id = Number(idText);
  if (!Number.isInteger(id)) return undefined;
  if (kind === 'spawned') return { id, kind: 'spawned', pid: Number(rest[0]) };
  if (kind === 'info') return { id, kind: 'info', childPid: Number(rest[0]) };
  if (kind === 'error') {
    return { id, kind: 'closed', code: null, signal: null, error: rest.join(' ') };
  }
  if (kind !== 'closed') return undefined;
  const [code = -1, signal = 0, exitCode = -1] = rest.slice(0, 3).map(Number);
  const cgroup = cgroupReportOfText(rest.slice(3).join(' '));
  return {
    id,
    kind: 'closed',
    code: code >= 0 ? code : null,
    signal: signal > 0 ? (SIGNAL_NAMES.get(signal) ?? null) : null,
    ...(exitCode >= 0 ? { exitCode } : {}),
    ...(cgroup === undefined ? {} : { cgroup }),
  };
}

/** The status fd's cgroup line that serve.c passes on after the exit code (or nothing). */
function cgroupReportOfText(text: string): CgroupReport | undefined {
  if (text === '') return undefined;
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null
      ? cgroupReportIn(value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/** `rnx-sandbox --serve` at `path`, started now; undefined when it cannot be. */
export function sandboxServer(path: string): Spawner | undefined {
  let child: ChildProcess;
  try {
    child = spawn(path, ['--serve'], { stdio: ['pipe', 'pipe', 'ignore'], detached: true });
  } catch {
    return undefined;
  }
  const { stdin, stdout } = child;
  if (stdin === null || stdout === null) return undefined;
  stdin.on('error', () => undefined);
  const handles = [child, stdin as unknown as Socket, stdout as unknown as Socket];
  const hold = (held: boolean): void => {
    for (const handle of handles) {
      if (held) handle.ref();
      else handle.unref();
    }
  };
  const starts = remoteStarts(hold);
  child.on('error', (error: Error) =>
    starts.failAll(`rnx-sandbox --serve failed: ${error.message}`),
  );
  child.on('exit', () => starts.failAll('rnx-sandbox --serve ended'));
  let buffered = '';
  stdout.setEncoding('utf8');
  stdout.on('data', (text: string) => {
    buffered += text;
    for (let nl = buffered.indexOf('\n'); nl !== -1; nl = buffered.indexOf('\n')) {
      const reply = parseReply(buffered.slice(0, nl));
      buffered = buffered.slice(nl + 1);
      if (reply !== undefined) starts.reply(reply);
    }
  });
  hold(false);
  return {
    spawn(request): RemoteChild {
      return starts.start((id) => {
        const frame = requestFrame(id, request);
        // serve.c reads past a larger one without knowing whose it was.
        if (frame.length - 4 > MAX_FRAME) {
          return 'the command line and environment are too large to start';
        }
        stdin.write(frame);
        return undefined;
      });
    },
  };
}
