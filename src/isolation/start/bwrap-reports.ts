/**
 * What bwrap reports on its protocol fds (sandbox-args.ts), read the same way by rnx (job-process.ts)
 * and by the spawner process (spawner-process.ts): the job's PID 1 on the info fd, one JSON object
 * `{"child-pid": N}` (possibly over several lines); the command's exit code on the status fd, one
 * JSON object per line, `{"exit-code": N}` last.
 */
import type { Socket } from 'node:net';
import { cgroupReportIn, type CgroupReport } from '../cgroups/sandbox-cgroups.js';

/** Parses newline-separated JSON objects as they arrive. */
function jsonLines(stream: Socket, onObject: (value: Record<string, unknown>) => void): void {
  let buffered = '';
  stream.setEncoding('utf8');
  stream.on('data', (text: string) => {
    buffered += text;
    for (let nl = buffered.indexOf('\n'); nl !== -1; nl = buffered.indexOf('\n')) {
      const line = buffered.slice(0, nl).trim();
      buffered = buffered.slice(nl + 1);
      if (line === '') continue;
      try {
        const value: unknown = JSON.parse(line);
        if (typeof value === 'object' && value !== null) onObject(value as Record<string, unknown>);
      } catch {
        // Not one object per line (the info fd writes one object over several): keep reading.
        buffered = `${line}\n${buffered}`;
        return;
      }
    }
  });
  stream.on('error', () => undefined);
}

/**
 * The job's PID 1 from bwrap's info fd, as soon as the object is whole (a supervisor's shell holds
 * a copy of the fd, so its end may come only with the job's); undefined if it ends without one.
 */
export function childPidOf(info: Socket): Promise<number | undefined> {
  return new Promise((resolve) => {
    let text = '';
    let pid: number | undefined;
    info.setEncoding('utf8');
    info.on('data', (chunk: string) => {
      text += chunk;
      try {
        const value = (JSON.parse(text) as { 'child-pid'?: unknown })['child-pid'];
        pid = typeof value === 'number' ? value : undefined;
        resolve(pid);
      } catch {
        // Not whole yet.
      }
    });
    info.on('error', () => undefined);
    info.on('close', () => resolve(pid));
  });
}

/**
 * Follows bwrap's status fd; `code()` is the command's exit code once bwrap said it, `cgroup()`
 * what rnx-sandbox said of the job's cgroups when it owned them (sandbox-cgroups.ts).
 */
export function exitCodeOf(status: Socket): {
  code(): number | undefined;
  cgroup(): CgroupReport | undefined;
} {
  let exitCode: number | undefined;
  let cgroup: CgroupReport | undefined;
  jsonLines(status, (value) => {
    const code = value['exit-code'];
    if (typeof code === 'number') exitCode = code;
    cgroup ??= cgroupReportIn(value);
  });
  return { code: () => exitCode, cgroup: () => cgroup };
}

/** Resolves once the stream is closed (at once if it is already). */
export function ended(stream: Socket): Promise<void> {
  return new Promise((resolve) => {
    if (stream.destroyed || stream.readableEnded) resolve();
    stream.once('close', () => resolve());
  });
}
