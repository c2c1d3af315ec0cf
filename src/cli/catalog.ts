/**
 * The Catalog the CLI hands to validation: what networks, volumes and runtimes exist here.
 * Networks come from the network store (read only); volumes and runtimes plug in here when their
 * stores land. Keep this the one place that knows where the names come from.
 */
import { listNetworks } from '../networks/index.js';
import { openDatabase, stateDir } from '../state/database.js';
import type { Catalog } from '../validate/catalog.js';
import { catalogOf } from '../validate/catalog.js';
import type { CliContext } from './context.js';

export function cliCatalog(ctx: CliContext): Promise<Catalog> {
  const db = openDatabase(stateDir(ctx.env));
  try {
    return Promise.resolve(catalogOf({ networks: listNetworks(db).map((n) => n.name) }));
  } finally {
    db.close();
  }
}
