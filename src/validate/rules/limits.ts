/**
 * Timeouts and resource limits read with the units module the flags use (src/units.ts), so a
 * value means the same in a file and on the command line. The schema checks their shape; this rule
 * reports what is well-formed but out of range (a timeout past 365 days, 2M of memory).
 */
import type { Result } from '../../problem.js';
import { parseDuration, parseIoLimit, parseMemoryLimit } from '../../units.js';
import type { Diagnostic } from '../diagnostic.js';
import type { Rule } from '../rule.js';
import { diagnosticAt } from '../rule.js';
import type { DataPath } from '../load/load.js';
import { isMapData } from '../workflows.js';

const RESOURCES: readonly (readonly [
  string,
  (v: string | number, what: string) => Result<number>,
])[] = [
  ['max_memory', parseMemoryLimit],
  ['max_iobps', parseIoLimit],
  ['max_io_bps', parseIoLimit],
];

export const checkLimits: Rule = ({ loaded, workflows }) => {
  const out: Diagnostic[] = [];
  const check = (
    path: DataPath,
    value: unknown,
    parse: (v: string | number, what: string) => Result<number>,
    what: string,
  ): void => {
    if (typeof value !== 'string' && typeof value !== 'number') return;
    const parsed = parse(value, what);
    // Shape errors are the schema's to report; only a well-formed value out of range is ours.
    if (parsed.ok || parsed.problem.code !== 'out-of-range') return;
    out.push(
      diagnosticAt(
        loaded,
        { path, part: 'value' },
        {
          code: 'out-of-range',
          message: parsed.problem.message,
          ...(parsed.problem.hint === undefined ? {} : { hint: parsed.problem.hint }),
        },
      ),
    );
  };
  for (const workflow of workflows) {
    for (const job of workflow.jobs) {
      check(
        [...job.path, 'timeout'],
        job.data['timeout'],
        parseDuration,
        `job '${job.name}': timeout`,
      );
      const r = job.data['resources'];
      if (!isMapData(r)) continue;
      for (const [key, parse] of RESOURCES) {
        check([...job.path, 'resources', key], r[key], parse, `job '${job.name}': ${key}`);
      }
    }
  }
  return out;
};
