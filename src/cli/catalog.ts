/**
 * The Catalog the CLI hands to validation: what networks, volumes and runtimes exist here.
 * Today only the built-in networks; the network, volume and runtime stores plug in here (read
 * only) when they land. Keep this the one place that knows where the names come from.
 */
import type { Catalog } from '../validate/catalog.js';
import { catalogOf } from '../validate/catalog.js';
import type { CliContext } from './context.js';

export function cliCatalog(_ctx: CliContext): Promise<Catalog> {
  return Promise.resolve(catalogOf());
}
