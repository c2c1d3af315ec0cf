/** `rnx job status ID [--json]`: one job's record (by id, id prefix or name). */
import { outputsOfJob } from '../../../engine/records.js';
import { sharedDatabase, stateDir } from '../../../state/database.js';
import type { Command } from '../../context.js';
import { EXIT } from '../../context.js';
import { flagOption } from '../../args.js';
import {
  bytesText,
  commandText,
  cpuText,
  durationText,
  exitText,
  jobJson,
  readyText,
  userText,
} from '../../format/job.js';
import { jobOrReport, oneRef } from '../../record-refs.js';
import { printJson, writeLine } from '../../print.js';

export const command: Command = {
  path: 'job status',
  usage: 'rnx job status ID [--json]',
  summary: "Show one job's status, exit code, reason, times and network",
  details: `ID may be a job id, a unique prefix of one, or a job name (its latest run).
Examples:
  rnx job status 3f2a9c1b7d40
  rnx job status web --json | jq -r .status`,
  options: { json: { type: 'boolean', description: 'print a JSON object' } },
  run(ctx, args) {
    const ref = oneRef(ctx, args.positionals, {
      message: 'rnx job status takes one job id or name',
    });
    if (ref === undefined) return Promise.resolve(EXIT.usage);
    const db = sharedDatabase(stateDir(ctx.env));
    const resolved = jobOrReport(ctx, db, ref);
    if ('exit' in resolved) return Promise.resolve(resolved.exit);
    const job = resolved.found;
    // A workflow job's outputs ($RNX_OUTPUT), recorded with its run.
    const outputs = outputsOfJob(db, job.id);
    if (flagOption(args.options, 'json')) {
      printJson(ctx, { ...jobJson(job), ...(outputs === undefined ? {} : { outputs }) });
      return Promise.resolve(EXIT.ok);
    }
    const lines: [string, string][] = [
      ['id', job.id],
      ['name', job.name ?? '-'],
      ['status', job.status],
      ['reason', job.reason ?? '-'],
      ['exit', exitText(job)],
      ['command', commandText(job, 200)],
      ...(job.runAs === null ? [] : [['user', userText(job)] as [string, string]]),
      ['network', job.network],
      ['address', job.address ?? '-'],
      ['created', job.createdAt],
      ['started', job.startedAt ?? '-'],
      ...(job.readyAt === null ? [] : [['ready', readyText(job)] as [string, string]]),
      ['ended', job.endedAt ?? '-'],
      ['duration', durationText(job)],
      ...(job.active
        ? []
        : ([
            ['cpu', cpuText(job.cpuUsec)],
            ['memory', `${bytesText(job.memoryPeakBytes)} at its peak`],
          ] as [string, string][])),
      ['log', job.logPath],
    ];
    if (job.stopSignal !== 'SIGTERM' || job.stopGraceMs !== 10_000) {
      lines.push(['stop', `${job.stopSignal}, then SIGKILL after ${String(job.stopGraceMs)}ms`]);
    }
    if (job.message !== null) lines.push(['message', job.message]);
    if (job.secretNames.length > 0) lines.push(['secrets', job.secretNames.join(', ')]);
    for (const [key, value] of Object.entries(outputs ?? {}))
      lines.push(['output', `${key}=${value.includes('\n') ? JSON.stringify(value) : value}`]);
    for (const [key, value] of lines) writeLine(ctx.stdout, `${key.padEnd(9)}${value}`);
    return Promise.resolve(EXIT.ok);
  },
};
