/** Rigs for end-to-end workflow tests: run `rnx job run --workflow --json` and read its events. */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { JsonEvent } from '../../src/engine/events.js';
import { REPO_ROOT, RNX_BIN, runCli } from './cli.js';

export type Finished = Extract<JsonEvent, { event: 'workflow-finished' }>;

export interface WorkflowRun {
  readonly code: number | null;
  readonly events: JsonEvent[];
  readonly stderr: string;
  readonly finished: Finished;
}

export function parseEvents(stdout: string): JsonEvent[] {
  return stdout
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as JsonEvent);
}

export async function runWorkflowJson(
  target: string,
  stateDir: string,
  extra: readonly string[] = [],
): Promise<WorkflowRun> {
  const r = await runCli(['job', 'run', `--workflow=${target}`, '--json', ...extra], {
    stateDir,
    timeoutMs: 120_000,
  });
  const events = parseEvents(r.stdout);
  const finished = events.find((e): e is Finished => e.event === 'workflow-finished');
  if (finished === undefined) {
    throw new Error(
      `no workflow-finished event (exit ${String(r.code)}):\n${r.stdout}\n${r.stderr}`,
    );
  }
  return { code: r.code, events, stderr: r.stderr, finished };
}

export function writeWorkflow(dir: string, name: string, yaml: string): string {
  const file = join(dir, `${name}.yaml`);
  writeFileSync(file, yaml);
  return file;
}

/** Lines a job printed (stdout and stderr, in order). */
export function outputOf(events: readonly JsonEvent[], job: string): string[] {
  return events.flatMap((e) => (e.event === 'job-output' && e.job === job ? [e.line] : []));
}

/** Start and end times (ms) of each job's last attempt, from the events. */
export function timesOf(events: readonly JsonEvent[]): Map<string, { start: number; end: number }> {
  const times = new Map<string, { start: number; end: number }>();
  for (const e of events) {
    if (e.event === 'job-started') times.set(e.job, { start: Date.parse(e.at), end: Infinity });
    if (e.event === 'job-finished') {
      const t = times.get(e.job);
      if (t !== undefined) t.end = Date.parse(e.at);
    }
  }
  return times;
}

/** A running `rnx job run --workflow --json` whose events can be awaited, and signalled. */
export function startWorkflow(
  target: string,
  stateDir: string,
  extra: readonly string[] = [],
  env: NodeJS.ProcessEnv = {},
) {
  const child = spawn(
    process.execPath,
    [RNX_BIN, 'job', 'run', `--workflow=${target}`, '--json', ...extra],
    {
      cwd: REPO_ROOT,
      env: { ...process.env, ...env, NO_COLOR: '1', RNX_STATE_DIR: stateDir },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stdout = '';
  let stderr = '';
  const waiters: { test: (e: JsonEvent) => boolean; resolve: () => void }[] = [];
  child.stdout.setEncoding('utf8').on('data', (d: string) => {
    stdout += d;
    const events = parseEvents(stdout);
    for (const w of [...waiters]) {
      if (events.some(w.test)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
    }
  });
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const exited = new Promise<number | null>((resolve) =>
    child.on('close', (code) => resolve(code)),
  );
  return {
    child,
    /** The events printed so far. */
    events: (): JsonEvent[] => parseEvents(stdout),
    until(test: (e: JsonEvent) => boolean): Promise<void> {
      if (parseEvents(stdout).some(test)) return Promise.resolve();
      return new Promise((resolve) => waiters.push({ test, resolve }));
    },
    async done(): Promise<{ code: number | null; events: JsonEvent[]; stderr: string }> {
      const code = await exited;
      return { code, events: parseEvents(stdout), stderr };
    },
  };
}
