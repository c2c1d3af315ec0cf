/**
 * Command-line flags, declared per command and parsed here. Flags come before positionals; for
 * commands that run a program (`rnx job run ... COMMAND ARGS`) parsing stops at the first
 * positional, so everything from the command on is passed through verbatim, as with `docker run`.
 * `--` always ends flag parsing. Mistakes come back as a Problem with a "did you mean".
 */
import { fail, ok, type Result } from '../problem.js';
import { closest } from '../suggest.js';

export interface OptionSpec {
  readonly type: 'boolean' | 'string';
  /** The flag may repeat; values are collected in order. */
  readonly multiple?: boolean;
  /** One-letter alias, without the dash. */
  readonly short?: string;
  /** Shown in --help, e.g. `SIZE`. */
  readonly valueName?: string;
  readonly description: string;
}

export type OptionSpecs = Readonly<Record<string, OptionSpec>>;

export type OptionValues = Record<string, string | boolean | string[] | undefined>;

export interface ParsedArgs {
  readonly options: OptionValues;
  readonly positionals: readonly string[];
}

export interface ParseMode {
  /** Stop at the first positional and keep the rest verbatim (a command and its arguments). */
  readonly stopAtPositional?: boolean;
}

export function parseArgs(
  argv: readonly string[],
  specs: OptionSpecs,
  mode: ParseMode = {},
): Result<ParsedArgs> {
  // No prototype: `--constructor` or `--__proto__` must be unknown flags, not Object's members.
  const options: OptionValues = Object.create(null) as OptionValues;
  const positionals: string[] = [];
  const byShort = new Map<string, string>();
  for (const [name, spec] of Object.entries(specs)) if (spec.short) byShort.set(spec.short, name);

  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith('-') || arg === '-') {
      if (mode.stopAtPositional) {
        positionals.push(...argv.slice(i));
        break;
      }
      positionals.push(arg);
      continue;
    }
    let name: string;
    let inline: string | undefined;
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      name = eq === -1 ? arg.slice(2) : arg.slice(2, eq);
      inline = eq === -1 ? undefined : arg.slice(eq + 1);
    } else {
      const short = arg.slice(1, 2);
      const long = byShort.get(short);
      if (long === undefined) return unknownFlag(arg, specs);
      name = long;
      inline = arg.length > 2 ? arg.slice(arg[2] === '=' ? 3 : 2) : undefined;
    }
    const spec = Object.hasOwn(specs, name) ? specs[name] : undefined;
    if (spec === undefined) return unknownFlag(`--${name}`, specs);
    let value: string | boolean;
    if (spec.type === 'boolean') {
      if (inline !== undefined && inline !== 'true' && inline !== 'false') {
        return fail('usage', `--${name} takes no value (got '${inline}')`);
      }
      value = inline !== 'false';
    } else if (inline !== undefined) {
      value = inline;
    } else {
      const next = argv[i + 1];
      if (next === undefined) return fail('usage', `--${name} needs a value`);
      value = next;
      i++;
    }
    if (spec.multiple) {
      const list = options[name];
      options[name] = [...(Array.isArray(list) ? list : []), String(value)];
    } else {
      options[name] = value;
    }
  }
  return ok({ options, positionals });
}

function unknownFlag(flag: string, specs: OptionSpecs): Result<never> {
  const suggestion = closest(flag.replace(/^-+/, ''), Object.keys(specs));
  return fail(
    'usage',
    `unknown flag '${flag}'`,
    suggestion === undefined ? 'see --help' : `did you mean '--${suggestion}'?`,
  );
}

/** Reads a string option that may be absent. */
export function stringOption(options: OptionValues, name: string): string | undefined {
  const value = options[name];
  return typeof value === 'string' ? value : undefined;
}

/** Reads a repeatable string option (empty when absent). */
export function listOption(options: OptionValues, name: string): readonly string[] {
  const value = options[name];
  return Array.isArray(value) ? value : [];
}

export function flagOption(options: OptionValues, name: string): boolean {
  return options[name] === true;
}
