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

const REFERENCE = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

export function expand(value: string, lookup: Lookup): string {
  if (!value.includes('${')) return value;
  return value.replace(REFERENCE, (whole, name: string) => lookup(name) ?? whole);
}

/** Resolves one layer over an outer lookup; returns the merged lookup and this layer's names. */
function layer(raw: RawEnv, outer: Lookup): { get: Lookup; names: string[] } {
  const done = new Map<string, string>();
  const active = new Set<string>();
  const get: Lookup = (name) => {
    const cached = done.get(name);
    if (cached !== undefined) return cached;
    if (!Object.hasOwn(raw, name) || active.has(name)) return outer(name);
    active.add(name);
    const value = expand(text(raw[name]), get);
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
): { env: Record<string, string>; get: Lookup } {
  let get = outer;
  const names: string[] = [];
  for (const raw of layers) {
    const l = layer(raw, get);
    get = l.get;
    names.push(...l.names);
  }
  const env: Record<string, string> = {};
  for (const name of names) env[name] = get(name) ?? '';
  return { env, get };
}

export interface MergedEnvironment {
  readonly environment: Record<string, string>;
  readonly secretEnvironment: Record<string, string>;
}

/**
 * The job's final environment. A name set in both maps stays only in the secret one (secrets
 * win, and a secret is never shown as plain).
 */
export function mergeEnvironment(
  plain: readonly RawEnv[],
  secret: readonly RawEnv[],
): MergedEnvironment {
  const p = mergeLayers(plain, () => undefined);
  const s = mergeLayers(secret, p.get);
  const environment: Record<string, string> = {};
  for (const [k, v] of Object.entries(p.env)) if (!Object.hasOwn(s.env, k)) environment[k] = v;
  return { environment, secretEnvironment: s.env };
}
