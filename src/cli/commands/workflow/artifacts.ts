/** `rnx workflow artifacts RUN [--out DIR] [--json]`: list a run's kept artifacts, or copy them out. */
import { cpSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { findRun } from '../../../engine/records.js';
import { sharedDatabase, stateDir } from '../../../state/database.js';
import { listArtifacts, runFilesDir } from '../../../state/run-files.js';
import { flagOption, stringOption } from '../../args.js';
import type { Command } from '../../context.js';
import { EXIT } from '../../context.js';
import { formatTable, printJson, writeLine } from '../../print.js';
import { noSuchRun, oneRef } from '../../record-refs.js';

export const command: Command = {
  path: 'workflow artifacts',
  usage: 'rnx workflow artifacts RUN [--out DIR] [--json]',
  summary: "List a workflow run's artifacts, or copy them to a directory",
  details: `Artifacts are what completed jobs declared in 'artifacts:'; they are kept with the run.
Examples:
  rnx workflow artifacts wr-1a2b3c4d
  rnx workflow artifacts wr-1a2b --out ./out     (copies to ./out/JOB/PATH)`,
  options: {
    out: { type: 'string', valueName: 'DIR', description: 'copy them into DIR/JOB/PATH' },
    json: { type: 'boolean', description: 'print a JSON array' },
  },
  run(ctx, args) {
    const id = oneRef(ctx, args.positionals, {
      message: 'rnx workflow artifacts takes one run id',
      hint: "see 'rnx workflow list'",
    });
    if (id === undefined) return Promise.resolve(EXIT.usage);
    const dir = stateDir(ctx.env);
    const db = sharedDatabase(dir);
    const run = findRun(db, id);
    if (run === undefined) return Promise.resolve(noSuchRun(ctx, db, id));
    const entries = listArtifacts(dir, run.id);
    const out = stringOption(args.options, 'out');
    if (out !== undefined) {
      const target = resolve(ctx.cwd, out);
      const from = join(runFilesDir(dir, run.id), 'artifacts');
      if (existsSync(from)) cpSync(from, target, { recursive: true });
      writeLine(
        ctx.stdout,
        `copied ${String(entries.length)} file${entries.length === 1 ? '' : 's'} of run ${run.id} to ${target}`,
      );
      return Promise.resolve(EXIT.ok);
    }
    if (flagOption(args.options, 'json')) {
      printJson(ctx, entries);
      return Promise.resolve(EXIT.ok);
    }
    if (entries.length === 0) {
      writeLine(ctx.stdout, `run ${run.id} kept no artifacts`);
      return Promise.resolve(EXIT.ok);
    }
    writeLine(
      ctx.stdout,
      formatTable(
        ['JOB', 'PATH', 'BYTES'],
        entries.map((e) => [e.job, e.path, String(e.bytes)]),
      ),
    );
    return Promise.resolve(EXIT.ok);
  },
};
