/**
 * The Catalog the CLI hands to validation: what networks, volumes and runtimes exist here (read
 * from the stores, read only), and a look at upload paths on the host. Keep this the one place
 * that knows where the names come from.
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { listRuntimes, type Runtime } from '../isolation/filesystem/runtimes.js';
import { checkUpload } from '../isolation/filesystem/uploads.js';
import { listVolumes } from '../isolation/filesystem/volumes.js';
import { resolveUser, userDatabaseFor, type UserDatabase } from '../isolation/start/job-user.js';
import { BUILTIN_NETWORKS } from '../networks/builtins.js';
import { listNetworks } from '../networks/store.js';
import type { Network } from '../networks/types.js';
import { sharedDatabase, stateDir } from '../state/database.js';
import { StateFault } from '../state/state-fault.js';
import type { Catalog } from '../validate/host/catalog.js';
import { catalogOf, lazyCatalog } from '../validate/host/catalog.js';
import type { CliContext } from './context.js';

/**
 * With `stores: false` (validation that checks no environment: `workflow graph`, `validate
 * --skip-environment`) only built-ins are listed. Otherwise the state database is opened (the
 * process's one connection: a workflow run goes on to record its jobs with it) only when
 * validation first asks for what it holds: for a network other than the built-ins, a volume, a
 * runtime, or a job's user in a runtime's root.
 */
export function cliCatalog(ctx: CliContext, { stores = true } = {}): Promise<Catalog> {
  const checkUploadHere: Catalog['checkUpload'] = (file, path, kind) => {
    const checked = checkUpload(dirname(resolve(ctx.cwd, file)), path, kind);
    return checked.ok ? undefined : checked.problem;
  };
  if (!stores) return Promise.resolve(catalogOf({ checkUpload: checkUploadHere }));
  const dir = stateDir(ctx.env);
  let runtimes: Runtime[] | undefined;
  const runtimesHere = (): Runtime[] => (runtimes ??= listRuntimes(sharedDatabase(dir)));
  const users = new Map<string | undefined, UserDatabase>();
  const checkUser: Catalog['checkUser'] = (user, runtime) => {
    const root = runtime === undefined ? undefined : runtimesHere().find((r) => r.name === runtime);
    // A runtime that does not exist is reported as such; its users cannot be known.
    if (runtime !== undefined && root === undefined) return undefined;
    let known = users.get(runtime);
    if (known === undefined) users.set(runtime, (known = userDatabaseFor(root)));
    const resolved = resolveUser(user, known);
    return resolved.ok ? undefined : resolved.problem;
  };
  return Promise.resolve(
    lazyCatalog(
      () => {
        const db = sharedDatabase(dir);
        return {
          networks: listNetworks(db).map((n) => n.name),
          volumes: listVolumes(db, dir).map((v) => v.name),
          runtimes: runtimesHere().map((r) => r.name),
        };
      },
      { checkUpload: checkUploadHere, checkUser },
    ),
  );
}

/**
 * Every network this host knows (built-ins first), for what only the store can tell: whether a
 * custom network is `--internal`. Reads the state database only when there is one, and never
 * makes one: without it (or when it cannot be used) only the built-ins are known.
 */
export function cliNetworks(ctx: CliContext): Network[] {
  const dir = stateDir(ctx.env);
  if (!existsSync(join(dir, 'rnx.db'))) return [...BUILTIN_NETWORKS];
  try {
    return listNetworks(sharedDatabase(dir));
  } catch (e) {
    if (e instanceof StateFault) return [...BUILTIN_NETWORKS];
    throw e;
  }
}
