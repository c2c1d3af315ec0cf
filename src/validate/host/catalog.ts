/**
 * What exists on this host for a workflow to use: the names of networks, volumes and runtimes.
 * Validation reads it and never changes it. The CLI builds one from the stores
 * (src/cli/catalog.ts); tests build them with catalogOf from literal names.
 */
import { BUILTIN_NETWORK_NAMES } from '../../networks/builtins.js';

/** The kinds of thing a workflow names that must exist on the host. */
export type CatalogKind = 'network' | 'volume' | 'runtime';

export interface Catalog {
  /** Every name of each kind, built-in networks first: for suggestions when one is missing. */
  readonly networks: readonly string[];
  readonly volumes: readonly string[];
  readonly runtimes: readonly string[];
  /**
   * Whether the host has the network, volume or runtime `name`. Ask this first: a catalog that
   * reads its stores lazily (lazyCatalog) answers it for a built-in network without reading them.
   */
  has(kind: CatalogKind, name: string): boolean;
  /**
   * Looks at one upload on the host (the CLI reads the filesystem; tests may pass a literal one;
   * absent: not looked at): why it cannot be uploaded (missing, wrong kind, a symlink that points
   * outside the workflow file's folder), or undefined when it is fine. `file` is the workflow file
   * as named to validation, `path` the upload as written in it.
   */
  readonly checkUpload?: (
    file: string,
    path: string,
    kind: 'file' | 'directory',
  ) => { readonly code: string; readonly message: string; readonly hint?: string } | undefined;
  /**
   * Resolves a job's `user` in the root it gets (the host's, or `runtime`'s when it names one
   * that exists): why it cannot run as that user, or undefined when it can. Absent: not looked at
   * (`--skip-environment`, tests with literal catalogs).
   */
  readonly checkUser?: (
    user: string,
    runtime: string | undefined,
  ) => { readonly code: string; readonly message: string; readonly hint?: string } | undefined;
}

/** The names a host's stores hold (networks past the built-ins, volumes, runtimes). */
export type StoredNames = Pick<Catalog, 'networks' | 'volumes' | 'runtimes'>;

/**
 * A catalog whose stored names are read when validation first asks for them, once: `has` of a
 * built-in network reads nothing, so checking a file that names no other network, no volume and
 * no runtime reads no store (the CLI then opens no database).
 */
export function lazyCatalog(
  read: () => StoredNames,
  extra: Pick<Catalog, 'checkUpload' | 'checkUser'> = {},
): Catalog {
  let stored: Catalog | undefined;
  const names = (): Catalog => (stored ??= catalogOf(read()));
  return {
    get networks() {
      return names().networks;
    },
    get volumes() {
      return names().volumes;
    },
    get runtimes() {
      return names().runtimes;
    },
    has: (kind, name) =>
      (kind === 'network' && BUILTIN_NETWORK_NAMES.includes(name)) || names().has(kind, name),
    ...lookupsOf(extra),
  };
}

/** A catalog with only the built-in networks, plus whatever is given. */
export function catalogOf(extra: Partial<Omit<Catalog, 'has'>> = {}): Catalog {
  const networks = [
    ...BUILTIN_NETWORK_NAMES,
    ...(extra.networks ?? []).filter((n) => !BUILTIN_NETWORK_NAMES.includes(n)),
  ];
  const volumes = [...(extra.volumes ?? [])];
  const runtimes = [...(extra.runtimes ?? [])];
  const sets: Record<CatalogKind, ReadonlySet<string>> = {
    network: new Set(networks),
    volume: new Set(volumes),
    runtime: new Set(runtimes),
  };
  return {
    networks,
    volumes,
    runtimes,
    has: (kind, name) => sets[kind].has(name),
    ...lookupsOf(extra),
  };
}

/** The host look-ups `extra` has (absent ones left out). */
function lookupsOf(extra: Partial<Catalog>): Pick<Catalog, 'checkUpload' | 'checkUser'> {
  return {
    ...(extra.checkUpload === undefined ? {} : { checkUpload: extra.checkUpload }),
    ...(extra.checkUser === undefined ? {} : { checkUser: extra.checkUser }),
  };
}
