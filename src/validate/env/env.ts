/**
 * Environment merging and `${NAME}` expansion.
 *
 * Layers, outermost first: the file's top level, the named workflow (multi-workflow files), the
 * job. An inner layer's variable wins. In a value, `${NAME}` is replaced by NAME's value as seen
 * from that layer: another variable of the same layer, else the outer layers (so `PATH: "${PATH}:/x"`
 * in a job extends the inherited PATH). A name defined nowhere is left as written, so a shell in
 * the job can still expand it at run time; `$NAME` without braces is never touched. Plain values
 * never see secrets; secret values see plain variables and secrets.
 */

export type RawEnv = Readonly<Record<string, unknown>>;
type Lookup = (name: string) => string | undefined;

/**
 * The longest `NAME=value` a job can get: Linux refuses a single argument or environment string
 * of 128 KiB or more (MAX_ARG_STRLEN) when it starts the command. Expansion stops there, so a
 * value doubled through `${...}` 33 times is an error, not 16 GB of memory.
 */
export const MAX_ENV_ENTRY = 128 * 1024 - 1;

const REFERENCE = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

/** `${NAME}` replaced by lookup's value; undefined once the result passes `max` characters. */
export function expand(value: string, lookup: Lookup, max = Infinity): string | undefined {
  if (!value.includes('${')) return value.length > max ? undefined : value;
  let out = '';
  let last = 0;
  for (const m of value.matchAll(REFERENCE)) {
    out += value.slice(last, m.index) + (lookup(m[1] ?? '') ?? m[0]);
    last = m.index + m[0].length;
    if (out.length > max) return undefined;
  }
  out += value.slice(last);
  return out.length > max ? undefined : out;
}

/** A variable whose value, expanded, is too long for a job's environment. */
export interface Oversized {
  readonly name: string;
  /** Index of the layer that sets it, in the list given (plain, or secret). */
  readonly layer: number;
  readonly secret: boolean;
}

/** Resolves one layer over an outer lookup; returns the merged lookup and this layer's names. */
function layer(
  raw: RawEnv,
  outer: Lookup,
  tooLong: (name: string) => void,
): { get: Lookup; names: string[] } {
  const done = new Map<string, string>();
  const active = new Set<string>();
  const get: Lookup = (name) => {
    const cached = done.get(name);
    if (cached !== undefined) return cached;
    if (!Object.hasOwn(raw, name) || active.has(name)) return outer(name);
    active.add(name);
    const room = MAX_ENV_ENTRY - name.length - 1;
    let value = expand(text(raw[name]), get, room);
    if (value === undefined || Buffer.byteLength(value) > room) {
      tooLong(name);
      value = ''; // reported once, here; what refers to it sees it empty
    }
    active.delete(name);
    done.set(name, value);
    return value;
  };
  return { get, names: Object.keys(raw) };
}

function text(value: unknown): string {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean'
    ? String(value)
    : '';
}

/** Merges layers (outermost first) into one map, expanding references. */
function mergeLayers(
  layers: readonly RawEnv[],
  outer: Lookup,
  tooLong: (name: string, layer: number) => void,
): { env: Record<string, string>; get: Lookup } {
  let get = outer;
  const names: string[] = [];
  layers.forEach((raw, i) => {
    const l = layer(raw, get, (name) => tooLong(name, i));
    get = l.get;
    for (const name of l.names) names.push(name);
  });
  const env: Record<string, string> = {};
  for (const name of names) env[name] = get(name) ?? '';
  return { env, get };
}

export interface MergedEnvironment {
  readonly environment: Record<string, string>;
  readonly secretEnvironment: Record<string, string>;
  /** Variables too long for a job's environment (MAX_ENV_ENTRY); they are left empty. */
  readonly oversized: readonly Oversized[];
}

/**
 * The job's final environment. A name set in both maps stays only in the secret one (secrets
 * win, and a secret is never shown as plain).
 */
export function mergeEnvironment(
  plain: readonly RawEnv[],
  secret: readonly RawEnv[],
): MergedEnvironment {
  const oversized: Oversized[] = [];
  const p = mergeLayers(
    plain,
    () => undefined,
    (name, layer) => oversized.push({ name, layer, secret: false }),
  );
  const s = mergeLayers(secret, p.get, (name, layer) =>
    oversized.push({ name, layer, secret: true }),
  );
  const environment: Record<string, string> = {};
  for (const [k, v] of Object.entries(p.env)) if (!Object.hasOwn(s.env, k)) environment[k] = v;
  return { environment, secretEnvironment: s.env, oversized };
}
