/**
 * `rnx job metrics ID [--json] [--watch]`: a running job's resource use, from its cgroups: CPU
 * time and current CPU use (over a quarter of a second), memory now and at its peak, block I/O
 * read and written, processes. An ended job shows what was kept: CPU time and peak memory.
 * --watch prints a line a second until the job ends or Ctrl-C.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { measureJobMetrics, type MeasuredMetrics } from '../../../isolation/cgroups/metrics.js';
import { getJob, type JobRecord } from '../../../isolation/records/job-store.js';
import { sharedDatabase, stateDir } from '../../../state/database.js';
import { flagOption } from '../../args.js';
import type { CliContext, Command } from '../../context.js';
import { EXIT } from '../../context.js';
import { interruptible } from '../../interruptible.js';
import { bytesText, cpuText } from '../../format/job.js';
import { jobOrReport, oneRef } from '../../record-refs.js';
import { formatTable, printJson, writeLine } from '../../print.js';

const SAMPLE_MS = 250;
const WATCH_MS = 1000;

function metricsJson(job: JobRecord, m: MeasuredMetrics | undefined): Record<string, unknown> {
  if (m === undefined) {
    return {
      id: job.id,
      status: job.status,
      cpuSeconds: job.cpuUsec === null ? null : job.cpuUsec / 1e6,
      memoryPeakBytes: job.memoryPeakBytes,
    };
  }
  return {
    id: job.id,
    status: job.status,
    cpuSeconds: m.cpuUsec === undefined ? null : m.cpuUsec / 1e6,
    cpuPercent: m.cpuPercent ?? null,
    memoryBytes: m.memoryBytes ?? null,
    memoryPeakBytes: m.memoryPeakBytes ?? null,
    ioReadBytes: m.ioReadBytes ?? null,
    ioWriteBytes: m.ioWriteBytes ?? null,
    processes: m.processes ?? null,
  };
}

const HEADER = ['ID', 'STATUS', 'CPU', 'CPU %', 'MEMORY', 'PEAK', 'READ', 'WRITTEN', 'PIDS'];

function row(job: JobRecord, m: MeasuredMetrics | undefined): string[] {
  if (m === undefined) {
    return [
      job.id,
      job.status,
      cpuText(job.cpuUsec),
      '-',
      '-',
      bytesText(job.memoryPeakBytes),
      '-',
      '-',
      '-',
    ];
  }
  return [
    job.id,
    job.status,
    cpuText(m.cpuUsec),
    m.cpuPercent === undefined ? '-' : `${m.cpuPercent.toFixed(1)}%`,
    bytesText(m.memoryBytes),
    bytesText(m.memoryPeakBytes),
    bytesText(m.ioReadBytes),
    bytesText(m.ioWriteBytes),
    m.processes === undefined ? '-' : String(m.processes),
  ];
}

async function sample(job: JobRecord): Promise<MeasuredMetrics | undefined> {
  if (!job.active || job.cgroup === null) return undefined;
  return measureJobMetrics(job.cgroup, SAMPLE_MS);
}

function print(
  ctx: CliContext,
  json: boolean,
  job: JobRecord,
  m: MeasuredMetrics | undefined,
  header: boolean,
): void {
  if (json) writeLine(ctx.stdout, JSON.stringify(metricsJson(job, m)));
  else {
    const table = formatTable(HEADER, [row(job, m)]).split('\n');
    writeLine(ctx.stdout, (header ? table : table.slice(1)).join('\n'));
  }
}

export const command: Command = {
  path: 'job metrics',
  usage: 'rnx job metrics ID [--json] [--watch]',
  summary: "Show a job's CPU, memory, block I/O and process count, from its cgroups",
  details: `Examples:
  rnx job metrics backend
  rnx job metrics 3f2a9c1b7d40 --json | jq .memoryBytes
  rnx job metrics backend --watch        (a line a second until the job ends)`,
  options: {
    json: { type: 'boolean', description: 'print a JSON object (one per line with --watch)' },
    watch: { type: 'boolean', short: 'w', description: 'print a line a second until the job ends' },
  },
  async run(ctx, args) {
    const ref = oneRef(ctx, args.positionals, {
      message: 'rnx job metrics takes one job id or name',
    });
    if (ref === undefined) return EXIT.usage;
    const db = sharedDatabase(stateDir(ctx.env));
    const resolved = jobOrReport(ctx, db, ref);
    if ('exit' in resolved) return resolved.exit;
    const found = resolved.found;
    const json = flagOption(args.options, 'json');
    if (!flagOption(args.options, 'watch')) {
      const m = await sample(found);
      if (json) printJson(ctx, metricsJson(found, m));
      else print(ctx, false, found, m, true);
      return EXIT.ok;
    }
    return interruptible(ctx, async (stop) => {
      let job: JobRecord | undefined = found;
      for (let header = true; job !== undefined && !stop.aborted; header = false) {
        const m = await sample(job);
        print(ctx, json, job, m, header);
        if (!job.active) break;
        // Node's own abortable timer: it takes its abort listener back when it fires (one added
        // per sample and never removed piled up on the signal for as long as --watch ran).
        await delay(WATCH_MS - SAMPLE_MS, undefined, { signal: stop }).catch(() => undefined);
        job = getJob(db, job.id);
      }
      return stop.aborted ? EXIT.interrupted : EXIT.ok;
    });
  },
};
