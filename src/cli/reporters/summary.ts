/** The end of a workflow run: a table of every job and the workflow's status on one line. */
import type { ChalkInstance } from 'chalk';
import type { EngineEvent } from '../../engine/events.js';
import { formatBytes } from '../../units.js';
import { formatDuration, statusColor } from './format.js';

type Finished = Extract<EngineEvent, { event: 'workflow-finished' }>;

const HEADER = ['JOB', 'STATUS', 'EXIT', 'DURATION', 'NETWORK', 'ADDRESS'];

const USAGE = ['CPU', 'PEAK MEMORY'];

export function summaryTable(event: Finished, paint: ChalkInstance): string {
  // What each job used, when the runner measured it (its cgroups).
  const usage = event.jobs.some((j) => j.cpuUsec !== undefined || j.memoryPeakBytes !== undefined);
  const header = usage ? [...HEADER, ...USAGE] : HEADER;
  const rows = event.jobs.map((job) => [
    job.job,
    job.status,
    job.exitCode === null ? '-' : String(job.exitCode),
    formatDuration(job.durationMs),
    job.network,
    job.address ?? '-',
    ...(usage
      ? [
          job.cpuUsec === undefined ? '-' : formatDuration(job.cpuUsec / 1000),
          job.memoryPeakBytes === undefined ? '-' : formatBytes(job.memoryPeakBytes),
        ]
      : []),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const layout = (cells: readonly string[], status?: string): string =>
    cells
      .map((cell, i) => {
        const padded = i === cells.length - 1 ? cell : cell.padEnd(widths[i] ?? 0);
        // Colour after padding so escape codes do not upset the widths.
        return i === 1 && status !== undefined ? statusColor(paint, status)(padded) : padded;
      })
      .join('  ')
      .trimEnd();
  return [paint.bold(layout(header)), ...rows.map((r) => layout(r, r[1]))].join('\n');
}

export function statusLine(event: Finished, workflow: string, paint: ChalkInstance): string {
  const counts = new Map<string, number>();
  for (const job of event.jobs) counts.set(job.status, (counts.get(job.status) ?? 0) + 1);
  const parts = [...counts].map(([status, n]) => `${String(n)} ${status.toLowerCase()}`);
  const status = statusColor(paint, event.status).bold(event.status);
  return (
    `workflow ${workflow} ${status} in ${formatDuration(event.durationMs)}` +
    ` (${parts.join(', ')}), run ${event.runId}, exit ${String(event.exitCode)}`
  );
}
