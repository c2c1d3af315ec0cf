/**
 * The service flags of `rnx job run`: `--ready=exec:CMD|tcp:PORT|http:PATH|log:REGEX` with
 * `--ready-interval` and `--ready-timeout`, `--stop-signal`, `--stop-grace`. Each bad
 * value is a Problem naming the flag (exit 2). Pure.
 */
import { closest } from '../suggest.js';
import { STOP_SIGNALS } from '../isolation/end/stop-job.js';
import { parseDuration } from '../units.js';
import { fail, ok, type Result } from '../problem.js';
import {
  DEFAULT_READY_INTERVAL_MS,
  DEFAULT_READY_TIMEOUT_MS,
  type Probe,
  type Readiness,
} from '../validate/model.js';
import { stringOption, type ParsedArgs } from './args.js';

export interface ServiceFlags {
  readonly ready?: Readiness;
  readonly stopSignal?: NodeJS.Signals;
  readonly stopGraceMs?: number;
}

const READY_HINT =
  'write --ready=exec:CMD, tcp:PORT, http:/PATH (or http://HOST:PORT/PATH) or log:REGEX';

export function parseProbe(text: string): Result<Probe> {
  if (text.startsWith('http://')) {
    return URL.canParse(text)
      ? ok({ kind: 'http', target: text })
      : fail('usage', `--ready ${text}: not a URL`, READY_HINT);
  }
  const colon = text.indexOf(':');
  const kind = colon === -1 ? text : text.slice(0, colon);
  const value = colon === -1 ? '' : text.slice(colon + 1);
  if (value === '') return fail('usage', `--ready ${text}: no probe after '${kind}:'`, READY_HINT);
  switch (kind) {
    case 'exec': {
      const command = value.trim().split(/\s+/);
      return ok({ kind: 'exec', command });
    }
    case 'tcp': {
      const port = Number(value);
      return Number.isInteger(port) && port >= 1 && port <= 65535
        ? ok({ kind: 'tcp', port })
        : fail('usage', `--ready tcp:${value}: not a port (1-65535)`, READY_HINT);
    }
    case 'http':
      return value.startsWith('/')
        ? ok({ kind: 'http', target: value })
        : fail('usage', `--ready http:${value}: a path starts with /`, READY_HINT);
    case 'log':
      try {
        new RegExp(value);
        return ok({ kind: 'log', pattern: value });
      } catch (error) {
        return fail('usage', `--ready log:${value}: ${(error as Error).message}`, READY_HINT);
      }
    default: {
      const guess = closest(kind, ['exec', 'tcp', 'http', 'log']);
      return fail(
        'usage',
        `--ready ${text}: unknown probe '${kind}'${guess === undefined ? '' : `; did you mean '${guess}'?`}`,
        READY_HINT,
      );
    }
  }
}

export function parseStopSignal(text: string): Result<NodeJS.Signals> {
  const upper = text.trim().toUpperCase();
  const name = (upper.startsWith('SIG') ? upper : `SIG${upper}`) as NodeJS.Signals;
  if (STOP_SIGNALS.includes(name)) return ok(name);
  const guess = closest(name, STOP_SIGNALS);
  return fail(
    'usage',
    `--stop-signal '${text}' is not a stop signal${guess === undefined ? '' : `; did you mean '${guess}'?`}`,
    `use one of ${STOP_SIGNALS.join(', ')}`,
  );
}

function duration(args: ParsedArgs, flag: string): Result<number | undefined> {
  const text = stringOption(args.options, flag);
  if (text === undefined) return ok(undefined);
  const parsed = parseDuration(text, `--${flag}`);
  if (!parsed.ok) return parsed;
  if (parsed.value <= 0) return fail('usage', `--${flag} '${text}' must be longer than 0`);
  return parsed;
}

export function serviceFlags(args: ParsedArgs): Result<ServiceFlags> {
  const out: { -readonly [K in keyof ServiceFlags]: ServiceFlags[K] } = {};
  const interval = duration(args, 'ready-interval');
  if (!interval.ok) return interval;
  const timeout = duration(args, 'ready-timeout');
  if (!timeout.ok) return timeout;
  const readyText = stringOption(args.options, 'ready');
  if (readyText !== undefined) {
    const probe = parseProbe(readyText);
    if (!probe.ok) return probe;
    out.ready = {
      probe: probe.value,
      intervalMs: interval.value ?? DEFAULT_READY_INTERVAL_MS,
      timeoutMs: timeout.value ?? DEFAULT_READY_TIMEOUT_MS,
    };
  } else if (interval.value !== undefined || timeout.value !== undefined) {
    return fail('usage', '--ready-interval and --ready-timeout need --ready', READY_HINT);
  }
  const signal = stringOption(args.options, 'stop-signal');
  if (signal !== undefined) {
    const parsed = parseStopSignal(signal);
    if (!parsed.ok) return parsed;
    out.stopSignal = parsed.value;
  }
  const grace = duration(args, 'stop-grace');
  if (!grace.ok) return grace;
  if (grace.value !== undefined) out.stopGraceMs = grace.value;
  return ok(out);
}
