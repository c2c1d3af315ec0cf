/** Wording for schema errors: one small function per ajv keyword, each naming the place. */
import type { ErrorObject } from 'ajv/dist/2020.js';
import { NAME_RULES as RULES } from '../../names.js';
import { closest } from '../../suggest.js';
import { CONDITIONS } from '../model.js';
import type { DataPath } from '../load/load.js';
import { subject, where } from '../where.js';

export interface Explanation {
  readonly code: string;
  readonly message: string;
  readonly hint?: string;
}

type Suggest = (word: string, parentSchema: unknown) => string | undefined;

const NAME_RULES: Record<string, { what: string; rule: string }> = {
  jobName: { what: 'name', rule: RULES.job },
  networkName: { what: 'network name', rule: RULES.network },
  volumeName: { what: 'volume name', rule: RULES.volume },
  runtimeName: { what: 'runtime name', rule: RULES.runtime },
  envName: { what: 'environment variable name', rule: RULES.env },
};

const RESOURCE_KEYS = [
  'max_cpu',
  'max_memory',
  'max_iobps',
  'max_io_bps',
  'cpu_cores',
  'max_processes',
];
const CONDITION_HELP =
  'use COMPLETED (exited 0), FAILED (ran and failed), FINISHED (either) or RUNNING (started and running)';

export function explain(
  e: ErrorObject,
  path: DataPath,
  propertyName: string | undefined,
  suggest: Suggest,
): Explanation {
  const params = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'additionalProperties':
      return unknownKey(String(params['additionalProperty']), path, e.parentSchema, suggest);
    case 'required':
      return {
        code: 'missing-key',
        message: `${subject(path)} has no '${String(params['missingProperty'])}'`,
      };
    case 'type':
      return wrongType(path, params['type'], e.data);
    case 'enum':
      return e.schemaPath.includes('/signal/')
        ? unknownSignal(path, e.data, e.schema)
        : unknownCondition(path, e.data);
    case 'oneOf':
      return notOneProbe(path, e.data);
    case 'pattern':
      return badName(e.schemaPath, path, propertyName ?? e.data);
    case 'anyOf':
      if (path.length === 0) {
        return {
          code: 'no-jobs',
          message: "the file has no 'jobs:'",
          hint: "list the jobs under 'jobs:', or several named workflows under 'workflows:'",
        };
      }
      return {
        code: 'invalid-value',
        message: `${subject(path)} ${xMessage(e.parentSchema)} (got ${show(e.data)})`,
      };
    case 'not':
      return {
        code: 'jobs-and-workflows',
        message: "the file has both 'jobs:' and 'workflows:'",
        hint: "use 'jobs:' for one workflow, or put every job inside a named workflow under 'workflows:'",
      };
    case 'minProperties':
      return path[path.length - 2] === 'requires'
        ? {
            code: 'invalid-requirement',
            message: `${subject(path)} is empty`,
            hint: "write '- JOB: CONDITION'",
          }
        : { code: 'empty-map', message: `${subject(path)} is empty; it needs at least one entry` };
    case 'maxProperties':
      return {
        code: 'invalid-requirement',
        message: `${subject(path)} names ${Object.keys(e.data as object).length} jobs in one entry`,
        hint: "put each on its own line: '- JOB: CONDITION'",
      };
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
      return {
        code: 'out-of-range',
        message: `${subject(path)} must be ${String(params['comparison'])} ${String(params['limit'])} (got ${show(e.data)})`,
      };
    case 'minLength':
      return { code: 'empty-value', message: `${subject(path)} must not be empty` };
    case 'uniqueItems': {
      const list = e.data as unknown[];
      return {
        code: 'duplicate-item',
        message: `${subject(path)} lists ${show(list[Number(params['i'])])} twice`,
      };
    }
    default:
      return { code: 'invalid-value', message: `${subject(path)} ${e.message ?? 'is invalid'}` };
  }
}

function unknownKey(
  key: string,
  path: DataPath,
  parentSchema: unknown,
  suggest: Suggest,
): Explanation {
  const w = where(path);
  const place =
    w.owner === 'the file' && w.field === ''
      ? 'at the top level'
      : w.field === ''
        ? `in ${w.owner}`
        : `in '${w.field}' of ${w.owner}`;
  const guess = suggest(key, parentSchema);
  const message = `unknown key '${key}' ${place}${guess === undefined ? '' : `; did you mean '${guess}'?`}`;
  const lastIsJob = w.field === '' && w.owner.startsWith('job ');
  if (lastIsJob && RESOURCE_KEYS.includes(key)) {
    return { code: 'unknown-key', message, hint: `'${key}' goes under 'resources:'` };
  }
  if (guess !== undefined) return { code: 'unknown-key', message };
  const allowed = Object.keys((parentSchema as { properties?: object }).properties ?? {});
  return allowed.length === 0
    ? { code: 'unknown-key', message }
    : { code: 'unknown-key', message, hint: `allowed here: ${allowed.join(', ')}` };
}

function wrongType(path: DataPath, expected: unknown, data: unknown): Explanation {
  if (path.length === 0) {
    return {
      code: 'wrong-type',
      message: `the file must be a map, not ${show(data)}`,
      hint: "a workflow file lists its jobs under 'jobs:' (see schemas/workflow.schema.json)",
    };
  }
  const types = (Array.isArray(expected) ? expected : [expected]).map((t) => typeWord(String(t)));
  const message = `${subject(path)} must be ${types.join(' or ')}, not ${show(data)}`;
  const last = path[path.length - 1];
  if (path[path.length - 2] === 'requires' && typeof data === 'string') {
    return { code: 'wrong-type', message, hint: `write '- ${data}: COMPLETED'` };
  }
  if (last === 'requires' && data !== null && typeof data === 'object') {
    return {
      code: 'wrong-type',
      message,
      hint: "write each requirement on its own line: '- JOB: CONDITION'",
    };
  }
  return { code: 'wrong-type', message };
}

function unknownCondition(path: DataPath, data: unknown): Explanation {
  const job = String(path[path.length - 1]);
  const guess = typeof data === 'string' ? closest(data, CONDITIONS) : undefined;
  const owner = where(path).owner;
  return {
    code: 'unknown-condition',
    message: `unknown condition ${show(data)} for '${job}' in ${owner}${guess === undefined ? '' : `; did you mean '${guess}'?`}`,
    hint: CONDITION_HELP,
  };
}

function unknownSignal(path: DataPath, data: unknown, allowed: unknown): Explanation {
  const names = Array.isArray(allowed) ? allowed.map(String) : [];
  const word = typeof data === 'string' ? data.toUpperCase() : '';
  const guess = closest(word.startsWith('SIG') ? word : `SIG${word}`, names);
  return {
    code: 'unknown-signal',
    message: `${subject(path)} is not a stop signal: ${show(data)}${guess === undefined ? '' : `; did you mean '${guess}'?`}`,
    hint: `use one of ${names.join(', ')}`,
  };
}

/** `ready` holds no probe, or several (the schema's oneOf over exec, tcp, http, log). */
function notOneProbe(path: DataPath, data: unknown): Explanation {
  const probes = ['exec', 'tcp', 'http', 'log'];
  const given =
    typeof data === 'object' && data !== null ? probes.filter((p) => p in data) : ([] as string[]);
  const hint = 'e.g. ready: {tcp: 5432} or ready: {exec: [pg_isready, -h, 127.0.0.1]}';
  if (given.length === 0) {
    return {
      code: 'no-probe',
      message: `${subject(path)} has no probe: it needs one of exec, tcp, http or log`,
      hint,
    };
  }
  return {
    code: 'several-probes',
    message: `${subject(path)} has ${given.join(' and ')}: it takes exactly one of exec, tcp, http or log`,
    hint,
  };
}

function badName(schemaPath: string, path: DataPath, name: unknown): Explanation {
  const def = /\$defs\/(\w+)\/pattern$/.exec(schemaPath)?.[1] ?? '';
  const rule = NAME_RULES[def];
  if (rule === undefined) {
    return {
      code: 'invalid-value',
      message: `${subject(path)} has an invalid value ${show(name)}`,
    };
  }
  const kind =
    def === 'jobName'
      ? path[path.length - 1] === 'workflows'
        ? 'workflow name'
        : 'job name'
      : rule.what;
  const owner = where(path).owner;
  return {
    code: 'invalid-name',
    message: `invalid ${kind} ${show(name)}${owner === 'the file' ? '' : ` in ${owner}`}`,
    hint: rule.rule,
  };
}

function xMessage(parentSchema: unknown): string {
  const text = (parentSchema as Record<string, unknown> | undefined)?.['x-message'];
  return typeof text === 'string' ? text : 'is invalid';
}

function typeWord(t: string): string {
  return (
    {
      string: 'text',
      array: 'a list',
      object: 'a map',
      number: 'a number',
      integer: 'a whole number',
      boolean: 'true or false',
      null: 'empty',
    }[t] ?? t
  );
}

/** A value as it appears in a message: `'text'`, `12`, `a list`, `a map`, `empty`. */
export function show(value: unknown): string {
  if (value === null || value === undefined) return 'empty';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a map';
  if (typeof value === 'string') return `'${value}'`;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return typeof value;
}
